import { randomUUID } from 'node:crypto';
import { PublishBatch } from './event-time-sequencer';

/** Header on every record ingestion publishes: which publish batch it belongs to (docs/event-time.md). */
export const PUBLISH_BATCH_HEADER = 'vigil-batch';

interface BatchHeader {
  /** batch id, unique per publisher process and call */
  id: string;
  /** records per topic */
  n: Record<string, number>;
  /** earliest event time per tenant (epoch ms) */
  t: Record<string, number>;
}

/** Stamps the records of one publish call; each gets the same header value. */
export class PublishBatchStamper {
  private readonly publisher = randomUUID().slice(0, 8);
  private seq = 0;

  header(records: readonly { topic: string; tenantId: string; timeMs: number }[]): string {
    const header: BatchHeader = { id: `${this.publisher}-${++this.seq}`, n: {}, t: {} };
    for (const r of records) {
      header.n[r.topic] = (header.n[r.topic] ?? 0) + 1;
      header.t[r.tenantId] = Math.min(header.t[r.tenantId] ?? Infinity, r.timeMs);
    }
    return JSON.stringify(header);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The batch as one consumer sees it: only the records on its input topics count. Undefined when
 * absent or malformed (the record is then sequenced like one without the header): a count that
 * is not a non-negative integer, or an earliest time that is not a finite number, would make the
 * sequencer wait for records that never come or compare times with garbage.
 */
export function readPublishBatch(
  value: string | undefined,
  inputTopics: readonly string[],
): PublishBatch | undefined {
  if (!value) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(value);
  } catch {
    return undefined; // not ours
  }
  if (!isRecord(header) || typeof header.id !== 'string' || !isRecord(header.n) || !isRecord(header.t)) return undefined;
  const counts = header.n;
  const times = header.t;
  if (!Object.values(counts).every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return undefined;
  if (!Object.values(times).every((t) => typeof t === 'number' && Number.isFinite(t))) return undefined;
  const required = inputTopics.reduce((sum, topic) => sum + ((counts[topic] as number | undefined) ?? 0), 0);
  return { id: header.id, required, streams: times as Record<string, number> };
}
