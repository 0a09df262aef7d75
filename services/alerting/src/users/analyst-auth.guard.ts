import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AnalystDirectory, AnalystUser, hasRole, Role } from './analyst-users';

export const TOKEN_COOKIE = 'vigil_dashboard_token';
export const ANALYST_DIRECTORY = Symbol('ANALYST_DIRECTORY');
const REQUIRED_ROLE = 'vigil:requiredRole';

interface TokenRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  analyst?: AnalystUser;
}

const header = (request: Pick<TokenRequest, 'headers'>, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The least role a route needs (viewer when not set). */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** The user AnalystAuthGuard admitted. */
export const CurrentAnalyst = createParamDecorator((_: unknown, context: ExecutionContext): AnalystUser => {
  const user = context.switchToHttp().getRequest<TokenRequest>().analyst;
  if (!user) throw new UnauthorizedException('route reached without AnalystAuthGuard');
  return user;
});

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

/**
 * Admits a request with an analyst's token ("Authorization: Bearer <token>" or the HttpOnly
 * session cookie; EventSource cannot send headers), checks the route's role (viewer < analyst <
 * admin) and hands the route the user (@CurrentAnalyst). A state-changing request authenticated
 * by the cookie must come from the dashboard's own origin (Origin header, or Sec-Fetch-Site:
 * same-origin): browsers attach cookies to cross-site form posts, not bearer tokens.
 */
@Injectable()
export class AnalystAuthGuard implements CanActivate {
  constructor(
    @Inject(ANALYST_DIRECTORY) private readonly directory: AnalystDirectory,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TokenRequest>();
    if (this.directory.size === 0) throw new UnauthorizedException('no analysts configured (ALERTING_USERS_FILE, ALERTING_DASHBOARD_TOKEN): the alert API is closed');
    const bearer = /^Bearer (.+)$/.exec(header(request, 'authorization') ?? '')?.[1];
    const user = this.directory.find(bearer ?? cookieToken(request));
    if (!user) throw new UnauthorizedException('missing or wrong token');
    if (bearer === undefined && !['GET', 'HEAD', 'OPTIONS'].includes(request.method) && !sameOrigin(request)) {
      throw new ForbiddenException('cross-site request refused: a state change with the session cookie must come from the dashboard');
    }
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]) ?? 'viewer';
    if (!hasRole(user, required)) throw new ForbiddenException(`${user.name} is a ${user.role}; this needs the ${required} role`);
    request.analyst = user;
    return true;
  }
}
