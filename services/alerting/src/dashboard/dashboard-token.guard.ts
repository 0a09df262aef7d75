import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';

export const TOKEN_COOKIE = 'vigil_dashboard_token';

/** Accepts ALERTING_DASHBOARD_TOKEN as "Authorization: Bearer <token>" or the vigil_dashboard_token cookie (EventSource cannot send headers). */
@Injectable()
export class DashboardTokenGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: AlertingConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const expected = this.config.ALERTING_DASHBOARD_TOKEN;
    if (!expected) throw new UnauthorizedException('ALERTING_DASHBOARD_TOKEN is not set: the alert API is closed');
    const bearer = /^Bearer (.+)$/.exec(request.headers['authorization'] ?? '')?.[1];
    const cookie = (request.headers['cookie'] ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([name]) => name === TOKEN_COOKIE)?.[1];
    const given = bearer ?? (cookie ? safeDecode(cookie) : undefined);
    if (given !== undefined) {
      // compare bytes: a non-ASCII token of the same length in characters is not the same length in bytes
      const [a, b] = [Buffer.from(given), Buffer.from(expected)];
      if (a.length === b.length && timingSafeEqual(a, b)) return true;
    }
    throw new UnauthorizedException('missing or wrong dashboard token');
  }
}

/** A malformed percent-encoding is a wrong token (401), not a server error. */
function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
