import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { REDIS_CLIENT, RedisClient, RedisKeys, redisRoundTrips } from '@vigil/redis';
import { ListEntry, parseListEntry } from '@vigil/velocity-scoring';
import { ListEntryParams, PutListEntryDto } from './list-entry';

const DAY_MS = 86_400_000;

/**
 * Allow and deny lists. An entry lives under the entity's own key (`<entity>:list`, same hash tag
 * as its counters), so the counters script reads it in the batch's single round trip.
 */
@Injectable()
export class ListsService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  private key(tenantId: string, params: ListEntryParams): string {
    return this.keys.entity(tenantId, params.entityType, normaliseId(params), 'list');
  }

  async put(tenantId: string, params: ListEntryParams, body: PutListEntryDto, now = new Date()): Promise<ListEntry> {
    const ttlMs = (body.ttlDays ?? 365) * DAY_MS;
    const entry: ListEntry = {
      list: params.list,
      reason: body.reason,
      rules: params.list === 'allow' ? (body.rules ?? ['*']) : [],
      addedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    };
    redisRoundTrips.inc({ operation: 'lists.put' });
    await this.redis.set(this.key(tenantId, params), JSON.stringify(entry), 'PX', ttlMs);
    return entry;
  }

  async get(tenantId: string, params: ListEntryParams): Promise<ListEntry> {
    redisRoundTrips.inc({ operation: 'lists.get' });
    const entry = parseListEntry(await this.redis.get(this.key(tenantId, params)));
    if (!entry || entry.list !== params.list) {
      throw new NotFoundException(`${params.entityType} ${params.entityId} is not on the ${params.list} list`);
    }
    return entry;
  }

  async remove(tenantId: string, params: ListEntryParams): Promise<void> {
    await this.get(tenantId, params);
    redisRoundTrips.inc({ operation: 'lists.delete' });
    await this.redis.del(this.key(tenantId, params));
  }
}

/** Ids are stored as the event pipeline sees them (e-mail domains lower case). */
function normaliseId(params: ListEntryParams): string {
  return params.entityType === 'email_domain' ? params.entityId.toLowerCase() : params.entityId;
}
