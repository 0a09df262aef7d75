import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, RedisClient, RedisKeys, redisRoundTrips } from '@vigil/redis';
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
    const pipeline = this.redis.pipeline();
    for (const e of events) pipeline.exists(this.key(e));
    const results = (await pipeline.exec()) ?? [];
    return events.map((_, i) => {
      const [error, value] = results[i] ?? [new Error('no reply')];
      if (error) throw error;
      return value === 1;
    });
  }

  /** Marks events as published; called only after Kafka acknowledged them. */
  async markPublished(events: EventIdentity[]): Promise<void> {
    if (events.length === 0) return;
    redisRoundTrips.inc({ operation: 'ingestion_mark' });
    const pipeline = this.redis.pipeline();
    for (const e of events) pipeline.set(this.key(e), '1', 'EX', this.ttlSeconds);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }
}
