import { BadGatewayException, HttpException, Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { parseApiKeys } from '@vigil/auth';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';

const TIMEOUT_MS = 5000;
/** A rule preview reads a day of events back and evaluates it twice: it gets longer. */
export const PREVIEW_TIMEOUT_MS = 120_000;

export interface VelocityReply {
  contentType: string;
  text: string;
}

/**
 * Calls velocity's tenant API (lists, rules) for a tenant with that tenant's velocity admin key
 * (ALERTING_VELOCITY_ADMIN_KEYS) and the analyst as X-Vigil-Actor. Velocity stays the one owner of
 * lists and rule changes (it validates, stores and logs); alerting only decides who may ask
 * (AnalystAuthGuard, the analyst's role and tenants). Velocity's 4xx answers reach the caller as
 * they are.
 */
@Injectable()
export class VelocityClient {
  private readonly logger = new Logger(VelocityClient.name);
  private readonly keyOf = new Map<string, string>();
  private readonly base: string;

  constructor(@Inject(SERVICE_CONFIG) config: AlertingConfig) {
    for (const entry of parseApiKeys(config.ALERTING_VELOCITY_ADMIN_KEYS, 'ALERTING_VELOCITY_ADMIN_KEYS').values()) {
      if (!this.keyOf.has(entry.tenantId)) this.keyOf.set(entry.tenantId, entry.key);
    }
    this.base = config.ALERTING_VELOCITY_URL.replace(/\/+$/, '');
  }

  /** `path` (e.g. /v1/lists?...) is built from validated values only. */
  async call(tenantId: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, actor?: string, body?: unknown, timeoutMs = TIMEOUT_MS): Promise<VelocityReply> {
    const key = this.keyOf.get(tenantId);
    if (!this.base) throw new ServiceUnavailableException('velocity is not configured here: set ALERTING_VELOCITY_URL and ALERTING_VELOCITY_ADMIN_KEYS');
    if (!key) throw new ServiceUnavailableException(`no velocity admin key for tenant ${tenantId} in ALERTING_VELOCITY_ADMIN_KEYS`);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { 'x-api-key': key, ...(actor ? { 'x-vigil-actor': actor } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      this.logger.warn(`velocity API unreachable: ${(error as Error).message}`);
      throw new BadGatewayException('the velocity service did not answer');
    }
    const text = await response.text();
    if (response.status === 401) {
      // the configured key is wrong: an operator's problem, not the analyst's
      this.logger.warn(`velocity refused the admin key of tenant ${tenantId} (ALERTING_VELOCITY_ADMIN_KEYS)`);
      throw new BadGatewayException('velocity refused alerting’s key for this tenant');
    }
    if (response.status >= 400 && response.status < 500) {
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {
        /* not JSON: the text */
      }
      throw new HttpException(payload as Record<string, unknown>, response.status);
    }
    if (!response.ok) throw new BadGatewayException(`velocity answered HTTP ${response.status}`);
    return { contentType: response.headers.get('content-type') ?? 'application/json', text };
  }

  async json<T>(tenantId: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, actor?: string, body?: unknown, timeoutMs = TIMEOUT_MS): Promise<T> {
    const reply = await this.call(tenantId, method, path, actor, body, timeoutMs);
    return (reply.text ? JSON.parse(reply.text) : undefined) as T;
  }
}
