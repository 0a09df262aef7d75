import { Inject, Injectable } from '@nestjs/common';
import { execBatch, REDIS_CLIENT, RedisClient, RedisKeys, redisRoundTrips } from '@vigil/redis';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { IngestionConfig } from '../config';

export interface EventIdentity {
  tenantId: string;
  id: string;
}

/**
 * Remembers which event ids (per tenant) were published, for INGESTION_DEDUPE_TTL_SECONDS.
 * One pipeline per request for the lookup and one for the marking; every key has a TTL.
 */
@Injectable()
export class IdempotencyStore {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
  ) {
    this.ttlSeconds = config.INGESTION_DEDUPE_TTL_SECONDS;
  }

  key(event: EventIdentity): string {
    return this.keys.entity(event.tenantId, 'event', event.id, 'published');
  }

  /** For each event, whether it was published before (within the window). */
  async seen(events: EventIdentity[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    redisRoundTrips.inc({ operation: 'ingestion_seen' });
    const replies = await execBatch<number>(
      this.redis,
      events.map((e) => {
        const key = this.key(e);
        return { key, queue: (p) => p.exists(key) };
      }),
    );
    return replies.map((value) => value === 1);
  }

  /** Marks events as published; called only after Kafka acknowledged them. */
  async markPublished(events: EventIdentity[]): Promise<void> {
    if (events.length === 0) return;
    redisRoundTrips.inc({ operation: 'ingestion_mark' });
    await execBatch(
      this.redis,
      events.map((e) => {
        const key = this.key(e);
        return { key, queue: (p) => p.set(key, '1', 'EX', this.ttlSeconds) };
      }),
    );
  }
}
