import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';

export const TOKEN_COOKIE = 'vigil_dashboard_token';

interface TokenRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

const header = (request: Pick<TokenRequest, 'headers'>, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Whether `given` is the dashboard token (constant time; a non-ASCII token compares by bytes). */
export function isDashboardToken(expected: string, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of the session cookie (set HttpOnly by POST /v1/session), if any. */
export function cookieToken(request: Pick<TokenRequest, 'headers'>): string | undefined {
  const value = (header(request, 'cookie') ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([name]) => name === TOKEN_COOKIE)?.[1];
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined; // a malformed percent-encoding is a wrong token (401), not a server error
  }
}

/**
 * Accepts ALERTING_DASHBOARD_TOKEN as "Authorization: Bearer <token>" or the HttpOnly session
 * cookie (EventSource cannot send headers). A state-changing request authenticated by the cookie
 * must come from the dashboard's own origin (Origin header, or Sec-Fetch-Site: same-origin): a
 * browser attaches cookies to cross-site form posts, not bearer tokens (CSRF defence on top of
 * SameSite=Strict).
 */
@Injectable()
export class DashboardTokenGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: AlertingConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TokenRequest>();
    const expected = this.config.ALERTING_DASHBOARD_TOKEN;
    if (!expected) throw new UnauthorizedException('ALERTING_DASHBOARD_TOKEN is not set: the alert API is closed');
    const bearer = /^Bearer (.+)$/.exec(header(request, 'authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      if (isDashboardToken(expected, bearer)) return true;
      throw new UnauthorizedException('missing or wrong dashboard token');
    }
    if (!isDashboardToken(expected, cookieToken(request))) throw new UnauthorizedException('missing or wrong dashboard token');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && !sameOrigin(request)) {
      throw new ForbiddenException('cross-site request refused: a state change with the session cookie must come from the dashboard');
    }
    return true;
  }
}

/** The request comes from a page of this service (compared by host: a TLS proxy in front changes the scheme). */
export function sameOrigin(request: Pick<TokenRequest, 'headers'>): boolean {
  const origin = header(request, 'origin');
  if (origin) {
    try {
      return new URL(origin).host === header(request, 'host');
    } catch {
      return false;
    }
  }
  return header(request, 'sec-fetch-site') === 'same-origin';
}
