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

/** The batch as one consumer sees it: only the records on its input topics count. Undefined when absent or malformed. */
export function readPublishBatch(
  value: string | undefined,
  inputTopics: readonly string[],
): PublishBatch | undefined {
  if (!value) return undefined;
  try {
    const header = JSON.parse(value) as BatchHeader;
    if (typeof header.id !== 'string' || typeof header.n !== 'object' || typeof header.t !== 'object')
      return undefined;
    const required = inputTopics.reduce((sum, topic) => sum + (Number(header.n[topic]) || 0), 0);
    return { id: header.id, required, streams: header.t };
  } catch {
    return undefined; // not ours: the record is sequenced like one without the header
  }
}
