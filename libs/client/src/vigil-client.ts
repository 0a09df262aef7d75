import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signPayload } from '@vigil/signature';

/** An event as the platform sends it (the envelope of @vigil/contracts, `id` optional: the client assigns one). */
export interface ClientEvent {
  id?: string;
  type: string;
  version: number;
  occurredAt: string;
  tenantId: string;
  correlationId?: string;
  causationId?: string;
  data: Record<string, unknown> | object;
}

export interface EventResult {
  index: number;
  id?: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  errors?: { field: string; constraint: string; reason: string }[];
}

export interface VigilClientOptions {
  /** Base URL of the ingestion service, e.g. http://ingestion:3000 */
  baseUrl: string;
  apiKey: string;
  /** HMAC secret of the key, when the service is configured to require signatures. */
  secret?: string;
  /** Events per POST /v1/events/batch (keep at or below the service's INGESTION_MAX_BATCH_EVENTS). */
  maxBatchSize?: number;
  /** Attempts per batch on 503, 429 and network errors (same event ids every time). */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Called before each retry with the attempt that failed (1-based) and why (progress reporting). */
  onRetry?: (failedAttempt: number, reason: string) => void;
}

/** The service answered with an error that resending will not fix (400, 401, 403, 413). */
export class VigilRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code?: string; message?: string; errors?: EventResult['errors'] },
  ) {
    super(`ingestion answered ${status} ${body.code ?? ''}: ${body.message ?? ''}`);
    this.name = 'VigilRequestError';
  }
}

/** The service stayed unavailable (503/429/network) for every attempt; resend later, ids are kept. */
export class VigilUnavailableError extends Error {
  constructor(message: string, readonly events: ClientEvent[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilUnavailableError';
  }
}

/** What the service answers: a batch result on 202, the documented error body otherwise. */
interface AnswerBody {
  results?: EventResult[];
  code?: string;
  message?: string;
  errors?: { index?: number; field: string; constraint: string; reason: string }[];
}

const RETRIABLE = new Set([429, 502, 503, 504]);

/**
 * Typed client for the Vigil ingestion API. Splits events into batches, signs each body
 * (X-Vigil-Signature) when a secret is set, and retries 503/429/network failures with
 * exponential backoff (honouring Retry-After) using the SAME event ids, so a retry after a
 * lost answer is deduplicated by the service instead of double-counted.
 */
export class VigilClient {
  private readonly opts: Required<Omit<VigilClientOptions, 'secret' | 'onRetry'>> & Pick<VigilClientOptions, 'secret' | 'onRetry'>;

  constructor(options: VigilClientOptions) {
    this.opts = { maxBatchSize: 500, maxAttempts: 6, initialBackoffMs: 200, maxBackoffMs: 10_000, timeoutMs: 15_000, ...options };
  }

  /** Publishes one event; resolves once the service acknowledged it (accepted or duplicate). */
  async publish(event: ClientEvent): Promise<EventResult> {
    const [result] = await this.publishMany([event]);
    if (result.status === 'rejected') throw new VigilRequestError(400, { code: 'invalid_event', message: 'the event is invalid', errors: result.errors });
    return result;
  }

  /** Publishes many events in batches; the results come back in input order (index = position in `events`). */
  async publishMany(events: ClientEvent[]): Promise<EventResult[]> {
    const withIds = events.map((e) => ({ ...e, id: e.id ?? randomUUID() }));
    const results: EventResult[] = [];
    for (let start = 0; start < withIds.length; start += this.opts.maxBatchSize) {
      const batch = withIds.slice(start, start + this.opts.maxBatchSize);
      const answer = await this.sendWithRetries(batch);
      results.push(...answer.map((r) => ({ ...r, index: r.index + start })));
    }
    return results;
  }

  private async sendWithRetries(batch: ClientEvent[]): Promise<EventResult[]> {
    const body = JSON.stringify({ events: batch });
    let delayMs = this.opts.initialBackoffMs;
    let lastFailure: unknown;
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(`${this.opts.baseUrl}/v1/events/batch`, {
          method: 'POST',
          headers: this.headers(body),
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        const payload = (await response.json().catch(() => ({}))) as AnswerBody;
        if (response.status === 202) return payload.results ?? [];
        if (response.status === 400 && payload.code === 'invalid_event') {
          // No event of the batch was valid: report each as rejected with its errors.
          return batch.map((e, index) => ({
            index,
            id: e.id,
            status: 'rejected' as const,
            errors: (payload.errors ?? []).filter((err) => err.index === index).map(({ field, constraint, reason }) => ({ field, constraint, reason })),
          }));
        }
        if (!RETRIABLE.has(response.status)) throw new VigilRequestError(response.status, payload);
        lastFailure = new Error(`ingestion answered ${response.status}`);
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
      } catch (error) {
        if (error instanceof VigilRequestError) throw error;
        lastFailure = error; // network error or timeout: retry with the same ids
      }
      if (attempt === this.opts.maxAttempts) break;
      this.opts.onRetry?.(attempt, lastFailure instanceof Error ? lastFailure.message : String(lastFailure));
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfterMs ?? delayMs, this.opts.maxBackoffMs)));
      delayMs = Math.min(delayMs * 2, this.opts.maxBackoffMs);
    }
    throw new VigilUnavailableError(`ingestion unavailable after ${this.opts.maxAttempts} attempts: ${(lastFailure as Error)?.message}`, batch, { cause: lastFailure });
  }

  private headers(body: string): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': this.opts.apiKey };
    if (this.opts.secret) headers[SIGNATURE_HEADER] = signPayload(this.opts.secret, body);
    return headers;
  }
}
