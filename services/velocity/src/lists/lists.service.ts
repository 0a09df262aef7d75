import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { BatchCommand, execBatch, REDIS_CLIENT, RedisClient, RedisKeys, redisRoundTrips } from '@vigil/redis';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { ImportResult, IMPORT_MAX_ROWS, ListChange, ListPage, ListEntriesQuery, ListEntryParams, ListedEntity, ListEntityType, ListEntry, ListKind, listToCsv, parseListCsv, parseListEntry, PutListEntryDto } from '@vigil/velocity-scoring';
import { VelocityConfig } from '../config';

const DAY_MS = 86_400_000;
/** The longest entry (ttlDays ≤ 3650): the index and log keys outlive every entry they name. */
const INDEX_TTL_MS = 3651 * DAY_MS;
/** Changes kept per tenant in the change log (newest first). */
const LOG_SIZE = 1000;
const LOG_TTL_MS = 90 * DAY_MS;
/** Entries one export reads at most. */
const EXPORT_MAX = 10_000;

/**
 * Allow and deny lists. An entry lives under the entity's own key (`<entity>:list`, same hash tag
 * as its counters), so the counters script reads it in the batch's single round trip. Each tenant
 * also has an index of its listed entities (sorted by expiry, pruned as they expire) so its lists
 * can be shown and exported, and a capped change log (who, what, why).
 */
@Injectable()
export class ListsService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(SERVICE_CONFIG) private readonly config: VelocityConfig,
  ) {}

  private key(tenantId: string, params: Pick<ListEntryParams, 'entityType' | 'entityId'>): string {
    return this.keys.entity(tenantId, params.entityType, normaliseId(params), 'list');
  }
  private indexKey = (tenantId: string) => this.keys.global('velocity-lists', tenantId);
  private logKey = (tenantId: string) => this.keys.global('velocity-lists-log', tenantId);
  private member = (params: Pick<ListEntryParams, 'entityType' | 'entityId'>) => `${params.entityType}|${normaliseId(params)}`;

  async put(tenantId: string, params: ListEntryParams, body: PutListEntryDto, actor: string, now = new Date()): Promise<ListEntry> {
    const entry = this.entryOf(params, body, actor, now);
    await this.ensureRoom(tenantId, 1, now);
    await this.write(tenantId, [{ params, entry }], { at: now.toISOString(), actor, action: 'put', list: params.list, entityType: params.entityType, entityId: params.entityId, reason: body.reason });
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

  /** The entity's entry on either list (null: none). */
  async entryFor(tenantId: string, entityType: ListEntityType, entityId: string): Promise<ListEntry | null> {
    redisRoundTrips.inc({ operation: 'lists.get' });
    return parseListEntry(await this.redis.get(this.key(tenantId, { entityType, entityId })));
  }

  async remove(tenantId: string, params: ListEntryParams, actor: string, reason = '', now = new Date()): Promise<void> {
    await this.get(tenantId, params);
    const change: ListChange = { at: now.toISOString(), actor, action: 'remove', list: params.list, entityType: params.entityType, entityId: params.entityId, reason };
    redisRoundTrips.inc({ operation: 'lists.delete' });
    const index = this.indexKey(tenantId);
    await execBatch(this.redis, [
      { key: this.key(tenantId, params), queue: (p) => p.del(this.key(tenantId, params)) },
      { key: index, queue: (p) => p.zrem(index, this.member(params)) },
      ...this.logCommands(tenantId, [change]),
    ]);
  }

  /** A page of the tenant's entries, soonest expiry first, optionally of one list and entity type. */
  async list(tenantId: string, query: ListEntriesQuery, now = new Date()): Promise<ListPage> {
    const index = this.indexKey(tenantId);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    redisRoundTrips.inc({ operation: 'lists.list' });
    const [, members, total] = await execBatch<unknown>(this.redis, [
      { key: index, queue: (p) => p.zremrangebyscore(index, '-inf', now.getTime()) },
      // one index page read; filters apply to it, so a filtered page may hold fewer than `limit`
      { key: index, queue: (p) => p.zrange(index, offset, offset + limit - 1) },
      { key: index, queue: (p) => p.zcard(index) },
    ]);
    const found = await this.load(tenantId, members as string[]);
    const entries = found.filter((e) => (!query.list || e.list === query.list) && (!query.entityType || e.entityType === query.entityType));
    const next = offset + limit < (total as number) ? offset + limit : undefined;
    return { entries, total: total as number, ...(next !== undefined ? { next } : {}) };
  }

  /** One list as CSV (LIST_CSV_COLUMNS), at most EXPORT_MAX entries. */
  async exportCsv(tenantId: string, list: ListKind, now = new Date()): Promise<string> {
    const entries: ListedEntity[] = [];
    for (let offset = 0; offset < EXPORT_MAX; offset += 200) {
      const page = await this.list(tenantId, { list, offset, limit: 200 }, now);
      entries.push(...page.entries);
      if (page.next === undefined) break;
    }
    return listToCsv(entries);
  }

  /**
   * Writes every valid row of a CSV import onto `list` (one batch); invalid rows are reported by
   * line and skipped. The rows are validated by the same DTOs as a single PUT.
   */
  async importCsv(tenantId: string, list: ListKind, csv: string, actor: string, now = new Date()): Promise<ImportResult> {
    let parsed;
    try {
      parsed = parseListCsv(csv, IMPORT_MAX_ROWS, now);
    } catch (error) {
      throw new BadRequestException([{ field: 'csv', constraint: 'csv', reason: (error as Error).message }]);
    }
    const problems = [...parsed.problems];
    const writes: { params: ListEntryParams; entry: ListEntry }[] = [];
    for (const row of parsed.rows) {
      const params = plainToInstance(ListEntryParams, { list, entityType: row.entityType, entityId: row.entityId });
      const body = plainToInstance(PutListEntryDto, { reason: row.reason, rules: row.rules, ttlDays: row.ttlDays });
      const errors = [...validateSync(params), ...validateSync(body, { whitelist: true })];
      if (errors.length > 0) {
        problems.push({ line: row.line, reason: errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') });
        continue;
      }
      writes.push({ params, entry: this.entryOf(params, body, actor, now) });
    }
    if (writes.length > 0) {
      await this.ensureRoom(tenantId, writes.length, now);
      await this.write(tenantId, writes, { at: now.toISOString(), actor, action: 'import', list, reason: `CSV import of ${writes.length} entries`, count: writes.length });
    }
    return { imported: writes.length, problems: problems.sort((a, b) => a.line - b.line) };
  }

  /** The tenant's newest list changes (at most `limit`). */
  async changes(tenantId: string, limit = 50): Promise<ListChange[]> {
    redisRoundTrips.inc({ operation: 'lists.changes' });
    return (await this.redis.lrange(this.logKey(tenantId), 0, limit - 1)).map((raw) => JSON.parse(raw) as ListChange);
  }

  private entryOf(params: ListEntryParams, body: PutListEntryDto, actor: string, now: Date): ListEntry {
    const ttlMs = (body.ttlDays ?? 365) * DAY_MS;
    return {
      list: params.list,
      reason: body.reason,
      rules: params.list === 'allow' ? (body.rules ?? ['*']) : [],
      addedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      addedBy: actor,
    };
  }

  /** The index is bounded (VELOCITY_LIST_MAX_ENTRIES per tenant): beyond, new entries are refused. */
  private async ensureRoom(tenantId: string, adding: number, now: Date): Promise<void> {
    const index = this.indexKey(tenantId);
    const [, size] = await execBatch<number>(this.redis, [
      { key: index, queue: (p) => p.zremrangebyscore(index, '-inf', now.getTime()) },
      { key: index, queue: (p) => p.zcard(index) },
    ]);
    if (size + adding > this.config.VELOCITY_LIST_MAX_ENTRIES) {
      throw new ConflictException(`tenant ${tenantId} has ${size} list entries; ${adding} more would pass VELOCITY_LIST_MAX_ENTRIES (${this.config.VELOCITY_LIST_MAX_ENTRIES}): remove some first`);
    }
  }

  private async write(tenantId: string, writes: { params: ListEntryParams; entry: ListEntry }[], change: ListChange): Promise<void> {
    const index = this.indexKey(tenantId);
    redisRoundTrips.inc({ operation: 'lists.put' });
    await execBatch(this.redis, [
      ...writes.map(({ params, entry }): BatchCommand => {
        const key = this.key(tenantId, params);
        return { key, queue: (p) => p.set(key, JSON.stringify(entry), 'PXAT', Date.parse(entry.expiresAt)) };
      }),
      { key: index, queue: (p) => p.zadd(index, ...writes.flatMap(({ params, entry }) => [Date.parse(entry.expiresAt), this.member(params)])) },
      { key: index, queue: (p) => p.pexpire(index, INDEX_TTL_MS) },
      ...this.logCommands(tenantId, [change]),
    ]);
  }

  private logCommands(tenantId: string, changes: ListChange[]): BatchCommand[] {
    const log = this.logKey(tenantId);
    return [
      { key: log, queue: (p) => p.lpush(log, ...changes.map((c) => JSON.stringify(c))) },
      { key: log, queue: (p) => p.ltrim(log, 0, LOG_SIZE - 1) },
      { key: log, queue: (p) => p.pexpire(log, LOG_TTL_MS) },
    ];
  }

  /** The entries of these index members; members whose entry is gone (expired, replaced by hand) are dropped from the index. */
  private async load(tenantId: string, members: string[]): Promise<ListedEntity[]> {
    const refs = members.map((m) => {
      const [entityType, ...rest] = m.split('|');
      return { entityType: entityType as ListEntityType, entityId: rest.join('|') };
    });
    const raws = await execBatch<string | null>(this.redis, refs.map((r) => ({ key: this.key(tenantId, r), queue: (p) => p.get(this.key(tenantId, r)) })));
    const gone = members.filter((_, i) => raws[i] === null);
    if (gone.length > 0) await this.redis.zrem(this.indexKey(tenantId), ...gone);
    return refs.flatMap((r, i) => {
      const entry = parseListEntry(raws[i]);
      return entry ? [{ ...r, ...entry }] : [];
    });
  }
}

/** Ids are stored as the event pipeline sees them (e-mail domains lower case). */
function normaliseId(params: Pick<ListEntryParams, 'entityType' | 'entityId'>): string {
  return params.entityType === 'email_domain' ? params.entityId.toLowerCase() : params.entityId;
}
