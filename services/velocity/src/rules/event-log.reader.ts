import { Inject, Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { TopicNames } from '@vigil/contracts';
import { KAFKA_CLIENT, WATERMARK_HEADER } from '@vigil/kafka';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { VELOCITY_FAMILIES } from '@vigil/velocity-scoring';
import { VelocityConfig } from '../config';

const READ_TIMEOUT_MS = 30_000;

export interface StoredEvents {
  /** The tenant's records (JSON as ingestion published them), in no particular order. */
  records: unknown[];
  /** Messages read (every tenant's). */
  read: number;
  /** The read stopped at VELOCITY_BACKTEST_MAX_EVENTS messages (the oldest part of the day is then all that was read). */
  truncated: boolean;
}

/**
 * Kafka is the event log: the events velocity consumed since a time are read back from its
 * family topics, each partition from the first offset at or after that time
 * (fetchTopicOffsetsByTimestamp) up to where it ended when the read began. No other store.
 */
@Injectable()
export class EventLogReader {
  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(SERVICE_CONFIG) private readonly config: VelocityConfig,
  ) {}

  async readSince(tenantId: string, sinceMs: number): Promise<StoredEvents> {
    const topics = VELOCITY_FAMILIES.map((f) => this.topics.events[f]);
    const admin = this.kafka.admin();
    await admin.connect();
    const ranges = new Map<string, { start: number; end: number }>(); // `${topic}/${partition}` -> [start, end)
    try {
      for (const topic of topics) {
        const [starts, ends] = await Promise.all([admin.fetchTopicOffsetsByTimestamp(topic, sinceMs), admin.fetchTopicOffsets(topic)]);
        for (const end of ends) {
          const start = Number(starts.find((s) => s.partition === end.partition)?.offset ?? end.high);
          if (start < Number(end.high)) ranges.set(`${topic}/${end.partition}`, { start, end: Number(end.high) });
        }
      }
    } finally {
      await admin.disconnect();
    }
    const result: StoredEvents = { records: [], read: 0, truncated: false };
    if (ranges.size === 0) return result;
    const max = this.config.VELOCITY_BACKTEST_MAX_EVENTS;
    const consumer = this.kafka.consumer({ groupId: `${consumerGroupId(this.config, 'velocity')}.backtest.${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      const open = new Set(ranges.keys());
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading the stored events took over ${READ_TIMEOUT_MS / 1000} s`)), READ_TIMEOUT_MS);
        const finish = () => {
          clearTimeout(timer);
          resolve();
        };
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const id = `${batch.topic}/${batch.partition}`;
              const range = ranges.get(id);
              if (!range || !open.has(id)) return;
              for (const message of batch.messages) {
                const offset = Number(message.offset);
                if (offset < range.start) continue;
                if (offset >= range.end || result.read >= max) break;
                if (message.headers?.[WATERMARK_HEADER] !== undefined) continue; // no event (docs/event-time.md)
                result.read++;
                const record = parse(message.value);
                if (record && (record as { tenantId?: unknown }).tenantId === tenantId) result.records.push(record);
              }
              const last = Number(batch.messages.at(-1)?.offset ?? -1);
              if (last >= range.end - 1) open.delete(id);
              if (result.read >= max) {
                result.truncated = open.size > 0;
                open.clear();
              }
              if (open.size === 0) finish();
            },
          })
          .then(() => {
            for (const [id, range] of ranges) {
              const at = id.lastIndexOf('/');
              consumer.seek({ topic: id.slice(0, at), partition: Number(id.slice(at + 1)), offset: String(range.start) });
            }
          }, reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return result;
  }
}

function parse(value: Buffer | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value.toString()) as unknown;
  } catch {
    return undefined; // not an event: velocity dead-letters those, the backtest skips them
  }
}
