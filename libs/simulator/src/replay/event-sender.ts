import { ClientEvent, VigilClient } from '@vigil/client';

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
  /** Attempts per batch on 429, 502-504 and network errors before giving up. */
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

const MAX_REPORTED_REJECTIONS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends events through @vigil/client (signing, retries with the same ids, per-event results),
 * one request at a time, so the order of the file is the order of arrival, paced to `rate`.
 * A refusal that resending cannot fix (401, 403, 413) stops the run with ingestion's answer
 * (VigilRequestError); an ingestion unavailable for every attempt, VigilUnavailableError.
 */
export async function sendEvents(events: readonly ClientEvent[], options: SendOptions): Promise<SendResult> {
  const progress: SendProgress = { sent: 0, total: events.length, accepted: 0, duplicates: 0, rejected: 0, retries: 0 };
  const rejections: RejectedEvent[] = [];
  const startedAt = Date.now();
  // At a set rate, at least ~4 requests per second, so a low rate trickles instead of bursting.
  const batchSize = options.rate === 'max' ? options.batchSize : Math.max(1, Math.min(options.batchSize, Math.ceil(options.rate / 4)));
  const client = new VigilClient({
    baseUrl: options.url,
    apiKey: options.apiKey,
    secret: options.secret,
    maxBatchSize: batchSize,
    maxAttempts: options.maxAttempts ?? 10,
    onRetry: () => progress.retries++,
  });

  for (let offset = 0; offset < events.length; offset += batchSize) {
    if (options.rate !== 'max') {
      const due = startedAt + (offset / options.rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const batch = events.slice(offset, offset + batchSize);
    for (const result of await client.publishMany(batch)) {
      if (result.status === 'accepted') progress.accepted++;
      else if (result.status === 'duplicate') progress.duplicates++;
      else {
        progress.rejected++;
        if (rejections.length < MAX_REPORTED_REJECTIONS) rejections.push({ index: offset + result.index, id: result.id, errors: result.errors });
      }
    }
    progress.sent += batch.length;
    options.onProgress?.({ ...progress });
  }
  return { ...progress, rejections, elapsedMs: Date.now() - startedAt };
}
