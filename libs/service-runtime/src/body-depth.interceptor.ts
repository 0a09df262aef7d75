import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';

/** Deeper JSON than any contract of Vigil has (events nest 3-4 levels). */
export const MAX_BODY_DEPTH = 32;

/** Nesting depth of a parsed JSON value, iteratively (a recursive walk would overflow on the hostile input it guards against). */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Refuses a request body nested deeper than MAX_BODY_DEPTH with a 400 before validation:
 * class-transformer walks bodies recursively, and "[[[[...]]]]" a few thousand deep would
 * overflow its stack (a 500). Interceptors run before pipes, so this is the door.
 */
@Injectable()
export class BodyDepthInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<{ body?: unknown }>()?.body;
    if (body !== undefined && jsonDepth(body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
      throw new BadRequestException([{ field: '', constraint: 'maxDepth', reason: `the body is nested deeper than ${MAX_BODY_DEPTH} levels` }]);
    }
    return next.handle();
  }
}
