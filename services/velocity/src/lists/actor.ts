import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { Request } from 'express';

/** Who acts: alerting passes the analyst it authenticated; a direct call with an admin key is "admin-key". */
export const ACTOR_HEADER = 'x-vigil-actor';
export const ACTOR_PATTERN = /^[\w.@-]{1,64}$/;

/** The actor of a change: X-Vigil-Actor, else "admin-key". */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const value = context.switchToHttp().getRequest<Request>().header(ACTOR_HEADER);
  if (value === undefined) return 'admin-key';
  if (!ACTOR_PATTERN.test(value)) throw new BadRequestException([{ field: ACTOR_HEADER, constraint: 'matches', reason: 'must be 1-64 letters, digits or ._@-' }]);
  return value;
});
export const ActorHeader = () => ApiHeader({ name: ACTOR_HEADER, required: false, description: 'who makes the change (recorded with it); default "admin-key"' });
