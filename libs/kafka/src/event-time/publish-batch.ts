import { randomUUID } from 'node:crypto';
import { PublishBatch } from './event-time-sequencer';
import { OutboundMessage } from '../ports';

/** Header on every record ingestion publishes: which publish batch it belongs to (docs/event-time.md). */
export const PUBLISH_BATCH_HEADER = 'vigil-batch';

/**
 * Header of a watermark record: no event, only the publish batch's header, written to each
 * partition of the watermarked topics that the batch wrote no event to (value empty). Readers
 * of the event topics skip it (`isWatermarkRecord`); the event-time consumers count it as that
 * partition's delivery of the batch, so a quiet partition does not hold the others back.
 */
export const WATERMARK_HEADER = 'vigil-watermark';

/** True for a watermark record (see WATERMARK_HEADER): not an event. */
export function isWatermarkRecord(headers: Record<string, string | undefined> | undefined): boolean {
  return headers?.[WATERMARK_HEADER] !== undefined;
}

interface BatchHeader {
  /** batch id, unique per publisher process and call */
  id: string;
  /** records per topic, watermark records included */
  n: Record<string, number>;
  /** earliest event time per tenant (epoch ms) */
  t: Record<string, number>;
  /** latest event time per tenant (epoch ms): the watermark every record of the batch carries */
  w: Record<string, number>;
}

/** A record to publish with what the batch header needs to know of it. */
export interface BatchRecord extends OutboundMessage {
  tenantId: string;
  timeMs: number;
}

/** What the producer knows of the topics' partitioning (KafkaPublisher implements it). */
export interface PartitionLookup {
  /** Partitions of the topic, once known (undefined before the producer's first metadata). */
  partitionCount(topic: string): number | undefined;
  /** The partition the producer will choose for the key, with `count` partitions. */
  partitionFor(topic: string, key: string, count: number): number;
}

export function isPartitionLookup(value: unknown): value is PartitionLookup {
  const candidate = value as Partial<PartitionLookup> | null;
  return typeof candidate?.partitionCount === 'function' && typeof candidate.partitionFor === 'function';
}

/**
 * Stamps the records of one publish call: each gets the same batch header, and each partition
 * of `watermarkTopics` that gets none of them gets a watermark record, so that every partition
 * of those topics delivers the batch (docs/event-time.md, "Watermark records"). A topic whose
 * partition count the producer does not know yet gets none: its consumers then fall back on the
 * idle partition rule, which is slower, never wrong.
 */
export class PublishBatchStamper {
  private readonly publisher = randomUUID().slice(0, 8);
  private seq = 0;

  constructor(
    private readonly watermarkTopics: readonly string[] = [],
    private readonly partitions?: PartitionLookup,
  ) {}

  stamp(records: readonly BatchRecord[]): OutboundMessage[] {
    const written = new Set<string>();
    const marks: OutboundMessage[] = [];
    if (this.partitions && records.length > 0) {
      for (const r of records) {
        const count = r.key === null ? undefined : this.partitions.partitionCount(r.topic);
        if (count !== undefined && r.key !== null) written.add(`${r.topic}\u0000${this.partitions.partitionFor(r.topic, r.key, count)}`);
      }
      for (const topic of this.watermarkTopics) {
        const count = this.partitions.partitionCount(topic);
        for (let partition = 0; partition < (count ?? 0); partition++) {
          if (!written.has(`${topic}\u0000${partition}`)) marks.push({ topic, key: null, partition, value: '' });
        }
      }
    }
    const header = this.header([...records, ...marks.map((m) => ({ topic: m.topic }))], records);
    return [
      ...records.map(({ tenantId: _tenant, timeMs: _time, ...message }) => ({
        ...message,
        headers: { ...message.headers, [PUBLISH_BATCH_HEADER]: header },
      })),
      ...marks.map((m) => ({ ...m, headers: { [PUBLISH_BATCH_HEADER]: header, [WATERMARK_HEADER]: '1' } })),
    ];
  }

  /** The header value: counts over `all` records (watermark records included), times over the events. */
  private header(all: readonly { topic: string }[], events: readonly BatchRecord[]): string {
    const header: BatchHeader = { id: `${this.publisher}-${++this.seq}`, n: {}, t: {}, w: {} };
    for (const r of all) header.n[r.topic] = (header.n[r.topic] ?? 0) + 1;
    for (const r of events) {
      header.t[r.tenantId] = Math.min(header.t[r.tenantId] ?? Infinity, r.timeMs);
      header.w[r.tenantId] = Math.max(header.w[r.tenantId] ?? -Infinity, r.timeMs);
    }
    return JSON.stringify(header);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const areTimes = (v: Record<string, unknown>) => Object.values(v).every((t) => typeof t === 'number' && Number.isFinite(t));

/**
 * The batch as one consumer sees it: only the records on its input topics count. Undefined when
 * absent or malformed (the record is then sequenced like one without the header): a count that
 * is not a non-negative integer, or a time that is not a finite number, would make the
 * sequencer wait for records that never come or compare times with garbage. A header without
 * `w` (written before watermark records existed) carries no watermark.
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
  const latest = header.w === undefined ? {} : header.w;
  if (!Object.values(counts).every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return undefined;
  if (!areTimes(times) || !isRecord(latest) || !areTimes(latest)) return undefined;
  const required = inputTopics.reduce((sum, topic) => sum + ((counts[topic] as number | undefined) ?? 0), 0);
  return {
    id: header.id,
    required,
    streams: times as Record<string, number>,
    latest: latest as Record<string, number>,
  };
}
