import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { RedisClient } from '@vigil/redis';
import type { Redis } from 'ioredis';

/**
 * The per-API-key rate limit's counters in Redis, so a limit holds across every ingestion
 * instance (@nest-lab/throttler-storage-redis: one atomic script, both keys under one hash tag,
 * each with a TTL of the window or the block). Keys carry the deployment's prefix. A Redis
 * outage fails the request as transient (503 with Retry-After), like the idempotency check.
 */
export class PrefixedRedisThrottlerStorage extends ThrottlerStorageRedisService {
  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    // one overload per client type; it takes either (checked with instanceof inside)
    super(redis as Redis);
  }

  override increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return super.increment(`${this.prefix}:rate:${key}`, ttl, limit, blockDuration, throttlerName);
  }
}
