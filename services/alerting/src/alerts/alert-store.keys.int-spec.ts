import IORedis from 'ioredis';
import { AlertDecision } from '@vigil/contracts';
import { RedisKeys } from '@vigil/redis';
import { guardScriptKeys, KeyGuardLog, testConfig, testStack, uniqueId } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AlertingConfig } from '../config';
import { AlertStore } from './alert-store';
import { APPLY_DECISION_LUA, APPLY_SIGNAL_LUA, INDEX_ALERTS_LUA, INDEX_SEARCH_LUA } from './alert-store.lua';

/*
 * The alert store's scripts under the Lua key guard (libs/testing/src/lua-key-guard.ts): every
 * key a script touches declared in KEYS, each call's KEYS in one Cluster slot. Covers opening,
 * joining, duplicates (in one batch and redelivered), snoozes, decisions, the search index and
 * the read-then-apply check when another instance changes the subject in between.
 */
const SCRIPTS = [
  { name: 'alertingApplySignal', lua: APPLY_SIGNAL_LUA },
  { name: 'alertingApplyDecision', lua: APPLY_DECISION_LUA },
  { name: 'alertingIndex', lua: INDEX_ALERTS_LUA },
  { name: 'alertingSearchIndex', lua: INDEX_SEARCH_LUA },
];
const T0 = Date.parse('2026-09-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('alert store scripts declare every key they touch, in one slot', () => {
  let redis: IORedis;
  let other: IORedis;
  let log: KeyGuardLog;
  let store: AlertStore;
  let second: AlertStore;
  const tenantId = uniqueId('tenant');

  beforeAll(() => {
    const config = testConfig(AlertingConfig);
    redis = new IORedis(testStack().redisUrl);
    other = new IORedis(testStack().redisUrl);
    log = guardScriptKeys(redis, SCRIPTS);
    guardScriptKeys(other, SCRIPTS, log);
    const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
    store = new AlertStore(redis, keys, config);
    store.onModuleInit();
    // a second instance on its own connection, same state
    second = new AlertStore(other, keys, config);
    second.onModuleInit();
  });
  afterAll(() => {
    redis.disconnect();
    other.disconnect();
  });

  const decision = (alertId: string, d: Partial<AlertDecision> & Pick<AlertDecision, 'decision'>): AlertDecision => ({
    decisionId: uniqueId('dec'),
    alertId,
    analyst: 'ana',
    decidedAt: at(60),
    ...d,
  });

  it('opens, joins and dedupes within one batch and across redelivery', async () => {
    const a = testSignal({ ruleId: 'velocity-card', subjectId: 'acc-1', tenantId, occurredAt: at(0), evidence: { cardFingerprint: 'card-9' } });
    const b = testSignal({ ruleId: 'review-burst', subjectId: 'acc-1', tenantId, occurredAt: at(5) });
    const c = testSignal({ ruleId: 'velocity-card', subjectId: 'acc-2', tenantId, occurredAt: at(1) });
    const first = await store.applySignals([a, b, c, a]);
    expect(first.map((o) => o.action)).toEqual(['created', 'updated', 'created', 'duplicate']);
    const ids = first.map((o) => (o.action === 'snoozed' ? '' : o.alert.alertId));
    expect(ids[1]).toBe(ids[0]);
    expect(ids[3]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    const again = await store.applySignals([b]);
    expect(again[0]).toMatchObject({ action: 'duplicate', alert: { alertId: ids[0], revision: 2 } });
    const found = await store.search({ subjectId: 'acc-1' }, [tenantId], 10);
    expect(found.alerts.map((x) => x.alertId)).toEqual([ids[0]]);
  });

  it('applies decisions; a terminal one closes the episode, the next signal opens a new alert', async () => {
    const s1 = testSignal({ ruleId: 'velocity-card', subjectId: 'acc-3', tenantId, occurredAt: at(0) });
    const [o1] = await store.applySignals([s1]);
    if (o1.action === 'snoozed') throw new Error('unexpected snooze');
    const id = o1.alert.alertId;
    const taken = await store.applyDecisions([
      decision(id, { decision: 'assigned', assignee: 'ana', previousAssignee: '' }),
      decision(id, { decision: 'assigned', assignee: 'bob', previousAssignee: '' }),
    ]);
    expect(taken.map((d) => d.outcome)).toEqual(['applied', 'conflict']);
    const [closed] = await store.applyDecisions([decision(id, { decision: 'confirmed_fraud' })]);
    expect(closed).toMatchObject({ outcome: 'applied', previousStatus: 'open', alert: { status: 'confirmed_fraud' } });
    const [o2] = await store.applySignals([testSignal({ ruleId: 'velocity-card', subjectId: 'acc-3', tenantId, occurredAt: at(2) })]);
    expect(o2.action).toBe('created');
    if (o2.action === 'snoozed') throw new Error('unexpected snooze');
    expect(o2.alert.alertId).toBe(id.replace(/-1$/, '-2'));
  });

  it('snoozes a rule of one subject', async () => {
    const subject = { type: 'account' as const, id: 'acc-4', tenantId };
    await store.snooze({
      ruleId: 'velocity-card',
      subject,
      until: new Date(T0 + 3_600_000 * 24 * 365).toISOString(),
      reason: 'known tester',
      actor: 'analyst-1',
      createdAt: new Date(T0).toISOString(),
    }, T0);
    const [o] = await store.applySignals([testSignal({ ruleId: 'velocity-card', subjectId: 'acc-4', tenantId, occurredAt: at(0) })]);
    expect(o.action).toBe('snoozed');
  });

  it('an instance whose read went stale (another instance opened the alert in between) re-reads and joins', async () => {
    const x = testSignal({ ruleId: 'velocity-card', subjectId: 'acc-5', tenantId, occurredAt: at(0) });
    const y = testSignal({ ruleId: 'review-burst', subjectId: 'acc-5', tenantId, occurredAt: at(1) });
    // the second instance's first pipeline is its read: the first instance applies x right after it
    const pipeline = other.pipeline.bind(other);
    let first: Promise<unknown> | undefined;
    other.pipeline = ((...a: Parameters<IORedis['pipeline']>) => {
      const p = pipeline(...a);
      if (!first) {
        const exec = p.exec.bind(p);
        p.exec = (async () => {
          const replies = await exec();
          first = store.applySignals([x]);
          await first;
          return replies;
        }) as typeof p.exec;
      }
      return p;
    }) as IORedis['pipeline'];
    const calls = log.count('alertingApplySignal');
    const [oy] = await second.applySignals([y]);
    other.pipeline = pipeline;
    const [ox] = (await first) as Awaited<ReturnType<AlertStore['applySignals']>>;
    if (ox.action === 'snoozed' || oy.action === 'snoozed') throw new Error('unexpected snooze');
    expect([ox.action, oy.action]).toEqual(['created', 'updated']);
    expect(oy.alert.alertId).toBe(ox.alert.alertId);
    // x's call, y's stale call, y's call after the re-read
    expect(log.count('alertingApplySignal') - calls).toBe(3);
    expect((await store.get(ox.alert.alertId))?.revision).toBe(2);
  });

  it('made every call with declared keys of one slot', () => {
    for (const s of SCRIPTS) expect(log.count(s.name)).toBeGreaterThan(0);
    expect(log.crossSlotCalls()).toEqual([]);
  });
});
