import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Request } from 'express';
import { ApiKeyEntry, findApiKey, presentedKey } from './api-keys';

/** Injection token of a service's tenant keys (a `parseApiKeys` map). */
export const TENANT_KEYS = Symbol('TENANT_KEYS');

interface TenantRequest extends Request {
  tenantKey?: ApiKeyEntry;
}

/**
 * Admits a request only with a known tenant key (`X-Api-Key` or `Authorization: Bearer`); the
 * tenant the route acts on comes from the key (read it with `@AuthenticatedTenant()`), never from
 * the URL or body, so a key of one tenant cannot touch another's data. No keys configured means
 * every request is refused: secure by default.
 */
@Injectable()
export class TenantKeyGuard implements CanActivate {
  constructor(@Inject(TENANT_KEYS) private readonly keys: Map<string, ApiKeyEntry>) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<TenantRequest>();
    const entry = findApiKey(this.keys, presentedKey((name) => req.header(name)));
    if (!entry) throw new UnauthorizedException('missing or unknown tenant key (send it in X-Api-Key or Authorization: Bearer)');
    req.tenantKey = entry;
    return true;
  }
}

/** The tenant of the key TenantKeyGuard admitted. */
export const AuthenticatedTenant = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const entry = context.switchToHttp().getRequest<TenantRequest>().tenantKey;
  if (!entry) throw new UnauthorizedException('route reached without TenantKeyGuard');
  return entry.tenantId;
});
