import { SIGNATURE_HEADER, signPayload } from '@vigil/signature';

export interface SendOptions {
  /** Base URL of the ingestion service, e.g. http://127.0.0.1:3000 */
  url: string;
  apiKey: string;
  /** When the API key has a secret: each request signed (X-Vigil-Signature: t=,v1=, @vigil/signature). */
  secret?: string;
  /** Events per request; ingestion accepts at most INGESTION_MAX_BATCH_EVENTS (500 by default). */
  batchSize: number;
  /** Events per second, or 'max' for as fast as ingestion answers. */
  rate: number | 'max';
  /** Attempts per batch on 429, 5xx and network errors before giving up. */
  maxAttempts?: number;
  onProgress?: (progress: SendProgress) => void;
}

export interface SendProgress {
  sent: number;
  total: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  retries: number;
}

export interface RejectedEvent {
  index: number;
  id?: string;
  errors: unknown;
}

export interface SendResult extends SendProgress {
  /** First rejections as ingestion reported them (bounded, for the summary). */
  rejections: RejectedEvent[];
  elapsedMs: number;
}

interface BatchResponse {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: { index: number; id?: string; status: string; errors?: unknown }[];
}

const MAX_REPORTED_REJECTIONS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retryable: ingestion is throttling us or Kafka is briefly unavailable behind it. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export class IngestionRequestError extends Error {}

/**
 * Posts events to POST /v1/events/batch, one request at a time (the order of the file is the
 * order of arrival), paced to `rate`. Retries 429/5xx/network failures with backoff so a slow
 * or restarting ingestion loses nothing; a 4xx other than 429 stops the run with its body.
 */
export async function sendEvents(events: readonly unknown[], options: SendOptions): Promise<SendResult> {
  const endpoint = new URL('/v1/events/batch', options.url).toString();
  const maxAttempts = options.maxAttempts ?? 10;
  const progress: SendProgress = { sent: 0, total: events.length, accepted: 0, duplicates: 0, rejected: 0, retries: 0 };
  const rejections: RejectedEvent[] = [];
  const startedAt = Date.now();
  // At a set rate, at least ~4 requests per second, so a low rate trickles instead of bursting.
  const batchSize = options.rate === 'max' ? options.batchSize : Math.max(1, Math.min(options.batchSize, Math.ceil(options.rate / 4)));

  for (let offset = 0; offset < events.length; offset += batchSize) {
    if (options.rate !== 'max') {
      const due = startedAt + (offset / options.rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const batch = events.slice(offset, offset + batchSize);
    const body = JSON.stringify({ events: batch });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': options.apiKey };
    if (options.secret) headers[SIGNATURE_HEADER] = signPayload(options.secret, body);

    const response = await postWithRetry(endpoint, headers, body, maxAttempts, () => progress.retries++);
    progress.sent += batch.length;
    progress.accepted += response.accepted;
    progress.duplicates += response.duplicates;
    progress.rejected += response.rejected;
    for (const result of response.results) {
      if (result.status === 'rejected' && rejections.length < MAX_REPORTED_REJECTIONS) {
        rejections.push({ index: offset + result.index, id: result.id, errors: result.errors });
      }
    }
    options.onProgress?.({ ...progress });
  }
  return { ...progress, rejections, elapsedMs: Date.now() - startedAt };
}

async function postWithRetry(endpoint: string, headers: Record<string, string>, body: string, maxAttempts: number, onRetry: () => void): Promise<BatchResponse> {
  let lastProblem = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      onRetry();
      await sleep(Math.min(10_000, 200 * 2 ** (attempt - 2)));
    }
    let response: Response;
    try {
      response = await fetch(endpoint, { method: 'POST', headers, body });
    } catch (error) {
      lastProblem = `network error: ${(error as Error).message}`;
      continue;
    }
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as BatchResponse;
    if (response.status === 400) {
      // Every event of the batch was invalid: count them as rejected, keep going.
      const parsed = JSON.parse(text) as { errors?: { index: number }[] };
      const indexes = [...new Set((parsed.errors ?? []).map((e) => e.index))];
      return { accepted: 0, duplicates: 0, rejected: indexes.length, results: indexes.map((index) => ({ index, status: 'rejected', errors: parsed.errors?.filter((e) => e.index === index) })) };
    }
    lastProblem = `HTTP ${response.status}: ${text.slice(0, 500)}`;
    if (!isRetryableStatus(response.status)) throw new IngestionRequestError(`ingestion refused the batch: ${lastProblem}`);
  }
  throw new IngestionRequestError(`ingestion did not accept a batch after ${maxAttempts} attempts; last: ${lastProblem}`);
}
