import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AlertDecision, FraudSignal, eventTimeMs } from '@vigil/contracts';
import {
  BatchCommand,
  defineScripts,
  execBatch,
  queueScript,
  REDIS_CLIENT,
  RedisClient,
  RedisKeys,
  RedisPipeline,
  redisRoundTrips,
  runScript,
} from '@vigil/redis';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';
import { contribution, ScoringPolicy, scoringPolicy } from '../scoring/scoring';
import { AlertView, alertFromRedis } from './alert-document';
import { APPLY_DECISION_LUA, APPLY_SIGNAL_LUA, INDEX_ALERTS_LUA, INDEX_SEARCH_LUA } from './alert-store.lua';
import { isAfter, mergeSlices, SearchCursor } from './search/cursor';
import { evidenceEntities, matchesSearch, SearchFilter, searchIndexName } from './search/search-filter';

/** One page of a search: `next` continues it (absent: nothing more); `scanned` index entries were read. */
export interface SearchPage {
  alerts: AlertView[];
  next?: SearchCursor;
  scanned: number;
}

/** Index entries one search request reads at most per tenant (bounded cost whatever the filter). */
const SEARCH_SCAN = 500;
/** Tenants one search of an all-tenant user covers (the most recently active). */
const SEARCH_TENANTS = 100;
/** How long "next unassigned" holds its pick before the assignment event is applied. */
const CLAIM_MS = 30_000;

/** A snooze as the dashboard lists it: who muted what, why, until when. */
export interface SnoozeRecord {
  ruleId: string;
  /** Absent: the rule is muted for every subject. */
  subject?: FraudSignal['subject'];
  until: string;
  reason: string;
  actor: string;
  createdAt: string;
}

export interface SnoozeChange {
  action: 'snoozed' | 'lifted';
  at: string;
  actor: string;
  reason: string;
  ruleId: string;
  subject?: FraudSignal['subject'];
  until?: string;
}

/** The snooze registry is full (ALERTING_SNOOZE_MAX). */
export class SnoozesFull extends Error {
  constructor(readonly size: number) {
    super(`${size} snoozes are in force, ALERTING_SNOOZE_MAX: lift some first`);
  }
}

/** Snooze changes kept (newest first). */
const SNOOZE_LOG_SIZE = 1000;

const snoozeField = (ruleId: string, subject?: FraudSignal['subject']): string =>
  subject ? JSON.stringify([ruleId, subject.tenantId, subject.type, subject.id]) : JSON.stringify([ruleId]);

export type SignalOutcome =
  { action: 'created' | 'updated' | 'duplicate'; alert: AlertView } | { action: 'snoozed' };

export interface DecisionOutcome {
  outcome: 'applied' | 'duplicate' | 'missing' | 'conflict';
  alert?: AlertView;
  previousStatus?: string;
  /** ms from the alert's creation to this decision, when it is the alert's first decision. */
  firstDecisionAfterMs?: number;
}

export interface AlertFilter {
  /** The tenant's own list (its newest ALERTING_INDEX_SIZE alerts); without it, all tenants'. */
  tenantId?: string;
  severity?: string;
  ruleId?: string;
  subjectType?: string;
  status?: string;
  limit?: number;
}

type ScriptReply = [string, string, string[], string[]];

/** Read-then-apply rounds of applySignals before it gives up (the consumer then retries the batch). */
const APPLY_ATTEMPTS = 5;

function isStale(reply: ScriptReply[] | ['stale']): reply is ['stale'] {
  return reply[0] === 'stale';
}
type DecisionReply = [string, string, string, string, string[]];

/**
 * The alert read model in Redis: per-subject alert documents; every alert of the retention in a
 * locator (decisions always find their alert) and in each tenant's bounded list.
 */
@Injectable()
export class AlertStore implements OnModuleInit {
  private readonly policy: ScoringPolicy;
  private readonly thresholds: string;
  private readonly global: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(SERVICE_CONFIG) private readonly config: AlertingConfig,
  ) {
    this.policy = scoringPolicy(config);
    this.thresholds = config.ALERTING_SEVERITY_THRESHOLDS;
    this.global = keys.global('alerting');
  }

  onModuleInit(): void {
    defineScripts(this.redis, [
      { name: 'alertingApplySignal', lua: APPLY_SIGNAL_LUA },
      { name: 'alertingApplyDecision', lua: APPLY_DECISION_LUA },
      { name: 'alertingIndex', lua: INDEX_ALERTS_LUA },
      { name: 'alertingSearchIndex', lua: INDEX_SEARCH_LUA },
    ]);
  }

  /** Key base of one subject's alerting keys (one hash tag). */
  subjectBase(subject: FraudSignal['subject']): string {
    return `${this.keys.entity(subject.tenantId, subject.type, subject.id, 'alerting')}:`;
  }

  /** Global rule snoozes in force for these rules (one round trip). */
  async snoozedRules(ruleIds: string[]): Promise<Set<string>> {
    if (ruleIds.length === 0) return new Set();
    redisRoundTrips.inc({ operation: 'alertingSnoozes' });
    const values = await this.redis.mget(ruleIds.map((r) => this.ruleSnoozeKey(r)));
    return new Set(ruleIds.filter((_, i) => values[i] !== null));
  }

  /**
   * Applies signals in order: one script call per subject with its signals, every key declared
   * (a Cluster allows no other). Which alert documents a signal touches depends on the subject's
   * dedupe records, open-alert pointer and alert counter, so those are read first (one pipeline)
   * and the script checks they still hold; a subject another instance changed in between is
   * read and applied again (stale). Two round trips per batch.
   */
  async applySignals(signals: FraudSignal[], nowMs = Date.now()): Promise<SignalOutcome[]> {
    if (signals.length === 0) return [];
    const bySubject = new Map<string, number[]>();
    signals.forEach((s, i) => {
      const base = this.subjectBase(s.subject);
      bySubject.set(base, [...(bySubject.get(base) ?? []), i]);
    });
    const replies: ScriptReply[] = new Array(signals.length);
    let pending = [...bySubject];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > APPLY_ATTEMPTS) throw new Error(`alert state of ${pending.length} subject(s) kept changing during ${APPLY_ATTEMPTS} attempts`);
      redisRoundTrips.inc({ operation: 'alertingApplySignalRead' });
      const reads = await execBatch<(string | null)[]>(
        this.redis,
        pending.map(([base, indexes]) => {
          const keys = [`${base}open`, `${base}seq`, ...indexes.map((i) => `${base}sig:${signals[i].signalId}`)];
          return { key: keys[0], queue: (p: RedisPipeline) => p.mget(...keys) };
        }),
      );
      const calls = pending.map(([base, indexes], g) =>
        this.signalCall(base, indexes.map((i) => signals[i]), reads[g], nowMs),
      );
      redisRoundTrips.inc({ operation: 'alertingApplySignal' });
      const results = await execBatch<ScriptReply[] | ['stale']>(
        this.redis,
        calls.map((c) => ({ key: c.keys[0], queue: (p: RedisPipeline) => queueScript(p, 'alertingApplySignal', [c.keys.length, ...c.keys, ...c.args]) })),
      );
      const stale: [string, number[]][] = [];
      results.forEach((r, g) => {
        if (isStale(r)) stale.push(pending[g]);
        else pending[g][1].forEach((i, j) => (replies[i] = r[j]));
      });
      pending = stale;
    }
    const outcomes = replies.map(([action, , flat, signalsJson]): SignalOutcome =>
      action === 'snoozed'
        ? { action: 'snoozed' }
        : { action: action as 'created' | 'updated' | 'duplicate', alert: alertFromRedis(flat, signalsJson) },
    );
    const touched = new Map<string, { base: string; tenantId: string }>();
    signals.forEach((s, i) => {
      const o = outcomes[i];
      if (o.action !== 'snoozed' && o.action !== 'duplicate')
        touched.set(o.alert.alertId, { base: this.subjectBase(s.subject), tenantId: s.subject.tenantId });
    });
    await this.index(touched, nowMs);
    await this.indexSearch(signals, outcomes, nowMs);
    return outcomes;
  }

  /**
   * One subject's signals as a script call: KEYS are the subject's open-alert pointer, alert
   * counter, the signals' dedupe records and snoozes, and the documents of every alert the
   * values read (`read`: open, seq, then each signal's dedupe record) can lead to.
   */
  private signalCall(base: string, group: FraudSignal[], read: (string | null)[], nowMs: number): { keys: string[]; args: string[] } {
    const keys: string[] = [];
    const index = new Map<string, number>();
    const k = (name: string): number => {
      let i = index.get(name);
      if (i === undefined) {
        keys.push(name);
        i = keys.length;
        index.set(name, i);
      }
      return i;
    };
    const [open, seq, ...seen] = read.map((v) => v ?? '');
    const subject = group[0].subject;
    const idBase = alertIdBase(subject);
    const header = { open: k(`${base}open`), seq: k(`${base}seq`) };
    const items = group.map((s, j) => {
      const t = eventTimeMs({ occurredAt: s.occurredAt });
      return {
        signalId: s.signalId,
        rule: s.ruleId,
        t: String(t),
        c: String(contribution(this.policy, s.ruleId, s.severity)),
        json: JSON.stringify(s),
        iso: new Date(t).toISOString(),
        seen: seen[j],
        k: { sig: k(`${base}sig:${s.signalId}`), snooze: k(`${base}snooze:${s.ruleId}`) },
      };
    });
    // the alerts named by the values read, and the ids the next alerts of this call would take
    const ids = new Set([open, ...seen].filter((id) => id !== ''));
    for (let n = 1; n <= group.length; n++) ids.add(`${idBase}-${Number(seq || '0') + n}`);
    const docs = Object.fromEntries([...ids].map((id) => [id, [k(`${base}alert:${id}`), k(`${base}alert:${id}:signals`)]]));
    const params = {
      windowMs: this.config.ALERTING_WINDOW_MS,
      cooldownMs: this.config.ALERTING_COOLDOWN_MS,
      retentionMs: this.config.ALERTING_RETENTION_MS,
      thresholds: this.thresholds,
      subjectJson: JSON.stringify(subject),
      nowMs: String(nowMs),
      alertIdBase: idBase,
      open,
      seq,
      k: header,
      docs,
    };
    return { keys, args: [JSON.stringify(params), JSON.stringify(items)] };
  }

  /** Applies decisions (one round trip to find the alerts, one pipeline to apply). */
  async applyDecisions(decisions: AlertDecision[]): Promise<DecisionOutcome[]> {
    if (decisions.length === 0) return [];
    const bases = await this.locate(decisions.map((d) => d.alertId));
    const calls: { keys: string[]; args: (string | number)[] }[] = [];
    const pending: number[] = [];
    decisions.forEach((d, i) => {
      const base = bases[i];
      if (!base) return;
      pending.push(i);
      const doc = `${base}alert:${d.alertId}`;
      const keys = [doc, `${doc}:decisions`, `${base}decision:${d.decisionId}`, `${base}open`];
      const args = [
        d.alertId,
        d.decisionId,
        d.decision,
        Date.parse(d.decidedAt),
        JSON.stringify(d),
        this.config.ALERTING_RETENTION_MS,
        d.assignee ?? '',
        d.previousAssignee ?? '',
      ];
      calls.push({ keys, args });
    });
    const outcomes: DecisionOutcome[] = decisions.map(() => ({ outcome: 'missing' }));
    if (pending.length === 0) return outcomes;
    const replies = await this.runPerSubject<DecisionReply>('alertingApplyDecision', calls);
    const statsPipeline = this.redis.pipeline();
    let statsChanged = false;
    replies.forEach(([outcome, previous, createdMs, first, flat], j) => {
      const i = pending[j];
      if (outcome !== 'applied') {
        outcomes[i] = { outcome: outcome as 'duplicate' | 'missing' | 'conflict' };
        return;
      }
      const alert = alertFromRedis(flat, []);
      outcomes[i] = {
        outcome: 'applied',
        alert,
        previousStatus: previous,
        ...(first === '1'
          ? { firstDecisionAfterMs: Date.parse(decisions[i].decidedAt) - Number(createdMs) }
          : {}),
      };
      if (decisions[i].decision === 'confirmed_fraud' || decisions[i].decision === 'false_positive') {
        statsChanged = true;
        for (const rule of Object.keys(alert.contributions)) {
          statsPipeline.hincrby(this.statsKey(), `${decisions[i].decision}:${rule}`, 1);
          statsPipeline.hincrby(this.statsKey(alert.subject.tenantId), `${decisions[i].decision}:${rule}`, 1);
        }
        statsPipeline.pexpire(this.statsKey(alert.subject.tenantId), this.config.ALERTING_RETENTION_MS);
      }
    });
    if (statsChanged) {
      statsPipeline.pexpire(this.statsKey(), this.config.ALERTING_RETENTION_MS);
      redisRoundTrips.inc({ operation: 'alertingDecisionStats' });
      await execPipeline(statsPipeline);
    }
    return outcomes;
  }

  /** Per-rule decision counts: { rule: { confirmed_fraud, false_positive, falsePositiveRate } }. */
  async ruleStats(
    tenants: string[] | '*' = '*',
  ): Promise<Record<string, { confirmed_fraud: number; false_positive: number; falsePositiveRate: number }>> {
    const keys = tenants === '*' ? [this.statsKey()] : tenants.map((t) => this.statsKey(t));
    const raws = await Promise.all(keys.map((k) => this.redis.hgetall(k)));
    const stats: Record<
      string,
      { confirmed_fraud: number; false_positive: number; falsePositiveRate: number }
    > = {};
    for (const [field, value] of raws.flatMap((raw) => Object.entries(raw))) {
      const at = field.indexOf(':');
      const decision = field.slice(0, at) as 'confirmed_fraud' | 'false_positive';
      const rule = field.slice(at + 1);
      stats[rule] ??= { confirmed_fraud: 0, false_positive: 0, falsePositiveRate: 0 };
      stats[rule][decision] += Number(value);
    }
    for (const s of Object.values(stats)) {
      const total = s.confirmed_fraud + s.false_positive;
      s.falsePositiveRate = total ? s.false_positive / total : 0;
    }
    return stats;
  }

  async get(alertId: string): Promise<AlertView | undefined> {
    const [base] = await this.locate([alertId]);
    if (!base) return undefined;
    const key = `${base}alert:${alertId}`;
    const [flat, signals, decisions] = await Promise.all([
      this.redis.hgetall(key),
      this.redis.lrange(`${key}:signals`, 0, -1),
      this.redis.lrange(`${key}:decisions`, 0, -1),
    ]);
    if (Object.keys(flat).length === 0) return undefined;
    return alertFromRedis(Object.entries(flat).flat(), signals, decisions);
  }

  /** Most recently updated alerts first, filtered; reads the newest ALERTING_INDEX_SIZE entries at most. */
  async list(
    filter: AlertFilter,
    tenants: string[] | '*' = filter.tenantId ? [filter.tenantId] : '*',
  ): Promise<AlertView[]> {
    const limit = Math.min(filter.limit ?? 100, 500);
    const ids = await this.newestIds(tenants);
    if (ids.length === 0) return [];
    const bases = await this.locate(ids);
    const result: AlertView[] = [];
    // Pages of 100 docs read concurrently: enough for a dashboard list, bounded per request.
    for (let from = 0; from < ids.length && result.length < limit; from += 100) {
      const page = ids.slice(from, from + 100);
      const docs = await Promise.all(
        page.map(async (id, j) => {
          const base = bases[from + j];
          if (!base) return undefined;
          const key = `${base}alert:${id}`;
          const [flat, signals] = await Promise.all([
            this.redis.hgetall(key),
            this.redis.lrange(`${key}:signals`, 0, -1),
          ]);
          return Object.keys(flat).length ? alertFromRedis(Object.entries(flat).flat(), signals) : undefined;
        }),
      );
      for (const alert of docs) {
        if (alert && matches(alert, filter) && result.length < limit) result.push(alert);
      }
    }
    return result;
  }

  /**
   * One page of a search over these tenants' search indexes, newest first-seen first, after
   * `cursor`. Reads at most SEARCH_SCAN index entries per tenant: a page may come back short
   * with a `next` cursor when the filter is selective (the client asks again from there).
   */
  async search(filter: SearchFilter, tenants: string[] | '*', limit: number, cursor?: SearchCursor): Promise<SearchPage> {
    const tenantIds = tenants === '*' ? await this.activeTenants() : tenants.slice(0, SEARCH_TENANTS);
    if (tenantIds.length === 0) return { alerts: [], scanned: 0 };
    const index = searchIndexName(filter);
    const max = cursor ? String(cursor.score) : filter.toMs !== undefined ? String(filter.toMs) : '+inf';
    const min = filter.fromMs !== undefined ? String(filter.fromMs) : '-inf';
    const keys = tenantIds.map((t) => (index ? `${this.searchKey(t)}:${index}` : this.searchKey(t)));
    redisRoundTrips.inc({ operation: 'alertingSearch' });
    const replies = await execBatch<string[]>(
      this.redis,
      keys.map((key) => ({ key, queue: (p) => p.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', 0, SEARCH_SCAN) })),
    );
    const slices = replies.map((flat) => {
      const out: SearchCursor[] = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i], score: Number(flat[i + 1]) });
      return out;
    });
    const { entries, horizon } = mergeSlices(slices, SEARCH_SCAN, cursor);
    const alerts: AlertView[] = [];
    let last: SearchCursor | undefined;
    for (let from = 0; from < entries.length && alerts.length < limit; from += 100) {
      const chunk = entries.slice(from, from + 100);
      const docs = await this.load(chunk.map((e) => e.id));
      for (let j = 0; j < chunk.length && alerts.length < limit; j++) {
        last = chunk[j];
        const doc = docs[j];
        if (doc && matchesSearch(doc, filter)) alerts.push(doc);
      }
    }
    const examinedAll = !last || last === entries[entries.length - 1];
    // more may follow: unexamined candidates, or tenants whose slice was cut at SEARCH_SCAN
    const candidate = !examinedAll ? last : horizon && (!last || isAfter(horizon, last) || horizon === last) ? horizon : undefined;
    // no progress past the cursor (over SEARCH_SCAN alerts first seen in one millisecond): stop rather than loop
    const next = candidate && (!cursor || isAfter(candidate, cursor)) ? candidate : undefined;
    return { alerts, ...(next ? { next } : {}), scanned: slices.reduce((n, slice) => n + slice.length, 0) };
  }

  /**
   * Holds an alert for `analyst` for CLAIM_MS (SET NX on the alert's subject keys): two
   * "next unassigned" calls at once never pick the same alert while its assignment event is on
   * the way. The assignment itself is the event's compare-and-set.
   */
  async claim(alert: AlertView, analyst: string): Promise<boolean> {
    const key = `${this.subjectBase(alert.subject)}claim:${alert.alertId}`;
    return (await this.redis.set(key, analyst, 'PX', CLAIM_MS, 'NX')) === 'OK';
  }

  /** Alerts by id (with signals), in order; undefined for ids no longer in the read model. */
  async load(alertIds: string[]): Promise<(AlertView | undefined)[]> {
    if (alertIds.length === 0) return [];
    const bases = await this.locate(alertIds);
    const found = alertIds.flatMap((id, i) => (bases[i] ? [{ i, key: `${bases[i]}alert:${id}` }] : []));
    const replies = await execBatch<Record<string, string> | string[]>(
      this.redis,
      found.flatMap(({ key }) => [
        { key, queue: (p) => p.hgetall(key) },
        { key, queue: (p) => p.lrange(`${key}:signals`, 0, -1) },
      ]),
    );
    const out: (AlertView | undefined)[] = alertIds.map(() => undefined);
    found.forEach(({ i }, j) => {
      const flat = replies[2 * j] as Record<string, string>;
      if (Object.keys(flat).length) out[i] = alertFromRedis(Object.entries(flat).flat(), replies[2 * j + 1] as string[]);
    });
    return out;
  }

  /**
   * Mutes a rule (for one subject, or every subject) until `until`: the key the signal path reads
   * expires then; the record (reason, actor) sits in a bounded registry the dashboard lists, and
   * the change in the snooze log. Replacing a snooze of the same rule and scope keeps one record.
   */
  async snooze(record: SnoozeRecord, nowMs = Date.now()): Promise<void> {
    const untilMs = Date.parse(record.until);
    const field = snoozeField(record.ruleId, record.subject);
    const [registry, byUntil] = [this.snoozesKey(), this.snoozesUntilKey()];
    await this.pruneSnoozes(nowMs);
    const [size, exists] = await Promise.all([this.redis.zcard(byUntil), this.redis.hexists(registry, field)]);
    if (!exists && size >= this.config.ALERTING_SNOOZE_MAX) throw new SnoozesFull(size);
    const key = record.subject ? `${this.subjectBase(record.subject)}snooze:${record.ruleId}` : this.ruleSnoozeKey(record.ruleId);
    redisRoundTrips.inc({ operation: 'alertingSnooze' });
    await execBatch(this.redis, [
      { key, queue: (p) => p.set(key, String(untilMs), 'PXAT', untilMs) },
      { key: registry, queue: (p) => p.hset(registry, field, JSON.stringify(record)) },
      { key: byUntil, queue: (p) => p.zadd(byUntil, untilMs, field) },
      // the registry lives as long as its longest snooze (NX sets a first expiry, GT only lengthens it)
      ...[registry, byUntil].flatMap((k): BatchCommand[] => [
        { key: k, queue: (p) => p.pexpireat(k, untilMs, 'NX') },
        { key: k, queue: (p) => p.pexpireat(k, untilMs, 'GT') },
      ]),
      ...this.snoozeLog({ action: 'snoozed', at: new Date(nowMs).toISOString(), actor: record.actor, reason: record.reason, ruleId: record.ruleId, until: record.until, ...(record.subject ? { subject: record.subject } : {}) }),
    ]);
  }

  async unsnooze(ruleId: string, subject: FraudSignal['subject'] | undefined, actor: string, reason: string, nowMs = Date.now()): Promise<boolean> {
    const key = subject ? `${this.subjectBase(subject)}snooze:${ruleId}` : this.ruleSnoozeKey(ruleId);
    const field = snoozeField(ruleId, subject);
    const [registry, byUntil] = [this.snoozesKey(), this.snoozesUntilKey()];
    const [removed] = await execBatch<number>(this.redis, [
      { key, queue: (p) => p.del(key) },
      { key: registry, queue: (p) => p.hdel(registry, field) },
      { key: byUntil, queue: (p) => p.zrem(byUntil, field) },
    ]);
    if (removed > 0) await execBatch(this.redis, this.snoozeLog({ action: 'lifted', at: new Date(nowMs).toISOString(), actor, reason, ruleId, ...(subject ? { subject } : {}) }));
    return removed > 0;
  }

  /** Snoozes in force that these tenants see (rule-wide ones affect every tenant), soonest end first; and the newest changes. */
  async snoozes(tenants: string[] | '*', nowMs = Date.now()): Promise<{ snoozes: SnoozeRecord[]; changes: SnoozeChange[] }> {
    await this.pruneSnoozes(nowMs);
    redisRoundTrips.inc({ operation: 'alertingSnoozes' });
    const [fields, log] = await Promise.all([this.redis.zrange(this.snoozesUntilKey(), 0, -1), this.redis.lrange(this.snoozeLogKey(), 0, SNOOZE_LOG_SIZE - 1)]);
    const raws = fields.length > 0 ? await this.redis.hmget(this.snoozesKey(), ...fields) : [];
    const visible = (subject?: FraudSignal['subject']) => !subject || tenants === '*' || tenants.includes(subject.tenantId);
    return {
      snoozes: raws.flatMap((raw) => (raw ? [JSON.parse(raw) as SnoozeRecord] : [])).filter((r) => visible(r.subject)),
      changes: log.map((raw) => JSON.parse(raw) as SnoozeChange).filter((c) => visible(c.subject)).slice(0, 50),
    };
  }

  /**
   * Alerts of each rule of a tenant first seen in the `windowMs` (event time) up to the tenant's
   * newest alert: a count over the rule's search index (capped at ALERTING_SEARCH_KEY_SIZE, so a
   * count at that cap means "at least"). Anchored on the newest alert rather than the wall clock,
   * so a replayed or delayed stream reads the same. `until` is absent when the tenant has no alert.
   */
  async recentAlerts(tenantId: string, ruleIds: string[], windowMs: number): Promise<{ until?: string; counts: Record<string, number> }> {
    const base = this.searchKey(tenantId);
    redisRoundTrips.inc({ operation: 'alertingRuleCounts' });
    const newest = await this.redis.zrevrange(base, 0, 0, 'WITHSCORES');
    if (newest.length < 2 || ruleIds.length === 0) return { counts: Object.fromEntries(ruleIds.map((r) => [r, 0])) };
    const untilMs = Number(newest[1]);
    const counts = await execBatch<number>(this.redis, ruleIds.map((r) => ({ key: `${base}:r:${r}`, queue: (p) => p.zcount(`${base}:r:${r}`, untilMs - windowMs, untilMs) })));
    return { until: new Date(untilMs).toISOString(), counts: Object.fromEntries(ruleIds.map((r, i) => [r, counts[i]])) };
  }

  /** Drops ended snoozes from the registry (their keys have expired already). */
  private async pruneSnoozes(nowMs: number): Promise<void> {
    const [registry, byUntil] = [this.snoozesKey(), this.snoozesUntilKey()];
    const ended = await this.redis.zrangebyscore(byUntil, '-inf', nowMs, 'LIMIT', 0, 1000);
    if (ended.length === 0) return;
    await execBatch(this.redis, [
      { key: registry, queue: (p) => p.hdel(registry, ...ended) },
      { key: byUntil, queue: (p) => p.zrem(byUntil, ...ended) },
    ]);
  }

  private snoozeLog(change: SnoozeChange): BatchCommand[] {
    const log = this.snoozeLogKey();
    return [
      { key: log, queue: (p) => p.lpush(log, JSON.stringify(change)) },
      { key: log, queue: (p) => p.ltrim(log, 0, SNOOZE_LOG_SIZE - 1) },
      { key: log, queue: (p) => p.pexpire(log, this.config.ALERTING_RETENTION_MS) },
    ];
  }

  /** Runs one script per subject: one pipeline on a standalone Redis, one per slot on a Cluster (execBatch). */
  private async runPerSubject<T>(
    script: string,
    calls: { keys: string[]; args: (string | number)[] }[],
  ): Promise<T[]> {
    redisRoundTrips.inc({ operation: script });
    return execBatch<T>(
      this.redis,
      calls.map((c) => ({ key: c.keys[0], queue: (p) => queueScript(p, script, [c.keys.length, ...c.keys, ...c.args]) })),
    );
  }

  /** The newest ALERTING_INDEX_SIZE alert ids of these tenants (all: the age-trimmed index of every alert). */
  private async newestIds(tenants: string[] | '*'): Promise<string[]> {
    const n = this.config.ALERTING_INDEX_SIZE;
    if (tenants === '*') return this.redis.zrevrange(this.updatedKey(), 0, n - 1);
    const lists = await Promise.all(
      tenants.map((t) => this.redis.zrevrange(this.tenantIndexKey(t), 0, n - 1, 'WITHSCORES')),
    );
    const scored: [string, number][] = lists.flatMap((flat) =>
      flat.flatMap((v, i) => (i % 2 === 0 ? [[v, Number(flat[i + 1])] as [string, number]] : [])),
    );
    return scored
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([id]) => id);
  }

  private async index(
    touched: Map<string, { base: string; tenantId: string }>,
    nowMs: number,
  ): Promise<void> {
    if (touched.size === 0) return;
    const tenantKeys = [...new Set([...touched.values()].map((t) => this.tenantIndexKey(t.tenantId)))];
    const triples = [...touched].flatMap(([alertId, { base, tenantId }]) => [
      alertId,
      base,
      tenantKeys.indexOf(this.tenantIndexKey(tenantId)) + 3,
    ]);
    await runScript(
      this.redis,
      'alertingIndex',
      [this.updatedKey(), this.whereKey(), ...tenantKeys],
      [this.config.ALERTING_INDEX_SIZE, this.config.ALERTING_RETENTION_MS, nowMs, ...triples],
    );
  }

  /** Search index entries of the alerts these signals created or updated, one script per tenant (one slot each). */
  private async indexSearch(signals: FraudSignal[], outcomes: SignalOutcome[], nowMs: number): Promise<void> {
    const byTenant = new Map<string, { keys: string[]; args: (string | number)[] }>();
    signals.forEach((s, i) => {
      const o = outcomes[i];
      if (o.action === 'snoozed' || o.action === 'duplicate') return;
      const names = new Set([`e:${s.subject.type}:${s.subject.id}`, `s:${s.subject.id}`, `r:${s.ruleId}`]);
      for (const e of evidenceEntities(s.evidence)) names.add(`e:${e.type}:${e.id}`);
      const call = byTenant.get(s.subject.tenantId) ?? { keys: [this.searchKey(s.subject.tenantId)], args: [] };
      // every named index key is declared (KEYS), the alert refers to it by its KEYS index
      const refs = [...names].map((name) => {
        const key = `${call.keys[0]}:${name}`;
        let i = call.keys.indexOf(key);
        if (i < 0) i = call.keys.push(key) - 1;
        return i + 1;
      });
      call.args.push(o.alert.alertId, Date.parse(o.alert.firstSeenAt), refs.length, ...refs);
      byTenant.set(s.subject.tenantId, call);
    });
    if (byTenant.size === 0) return;
    const registry = this.tenantsKey();
    const retention = this.config.ALERTING_RETENTION_MS;
    redisRoundTrips.inc({ operation: 'alertingSearchIndex' });
    await execBatch(this.redis, [
      ...[...byTenant.values()].map(({ keys, args }) => ({
        key: keys[0],
        queue: (p: RedisPipeline) =>
          queueScript(p, 'alertingSearchIndex', [keys.length, ...keys, this.config.ALERTING_SEARCH_INDEX_SIZE, this.config.ALERTING_SEARCH_KEY_SIZE, retention, ...args]),
      })),
      // the tenants an all-tenant search covers: most recently active first, capped, expiring
      { key: registry, queue: (p) => p.zadd(registry, ...[...byTenant.keys()].flatMap((t) => [nowMs, t])) },
      { key: registry, queue: (p) => p.zremrangebyrank(registry, 0, -1001) },
      { key: registry, queue: (p) => p.pexpire(registry, retention) },
    ]);
  }

  private async activeTenants(): Promise<string[]> {
    return this.redis.zrevrange(this.tenantsKey(), 0, SEARCH_TENANTS - 1);
  }

  private async locate(alertIds: string[]): Promise<(string | null)[]> {
    redisRoundTrips.inc({ operation: 'alertingLocate' });
    return this.redis.hmget(this.whereKey(), ...alertIds);
  }

  private updatedKey = () => `${this.global}:updated`;
  private tenantIndexKey = (tenantId: string) => `${this.global}:index:${tenantId}`;
  private whereKey = () => `${this.global}:where`;
  private statsKey = (tenantId?: string) =>
    tenantId ? `${this.global}:stats:${tenantId}` : `${this.global}:stats`;
  private ruleSnoozeKey = (ruleId: string) => `${this.global}:snooze:${ruleId}`;
  private tenantsKey = () => `${this.global}:tenants`;
  private snoozesKey = () => `${this.global}:snoozes`;
  private snoozesUntilKey = () => `${this.global}:snoozes:until`;
  private snoozeLogKey = () => `${this.global}:snoozes:log`;
  /** One tenant's search keys share the tag {alerting-search:<tenant>}: each index script is single-slot. */
  private searchKey = (tenantId: string) => this.keys.global('alerting-search', tenantId);
}

/** Deterministic: the alert opened by a signal is named after it, so a replay names it the same. */
/**
 * Alert ids are "<hash of the subject>-<n>", n counting the subject's alerts: the same signals
 * give the same ids whichever of them happened to arrive first (an id taken from the opening
 * signal would depend on how velocity's and review-analysis' signals interleave).
 */
export function alertIdBase(subject: FraudSignal['subject']): string {
  const digest = createHash('sha256')
    .update([subject.tenantId, subject.type, subject.id].join('\u0000'))
    .digest('hex');
  return `al-${digest.slice(0, 24)}`;
}

function matches(alert: AlertView, f: AlertFilter): boolean {
  return (
    (!f.severity || alert.severity === f.severity) &&
    (!f.status || alert.status === f.status) &&
    (!f.subjectType || alert.subject.type === f.subjectType) &&
    (!f.ruleId || f.ruleId in alert.contributions)
  );
}

async function execPipeline<T>(pipeline: ReturnType<RedisClient['pipeline']>): Promise<T[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value as T;
  });
}
