import { createRedisClient, RedisClient, RedisKeys, redisRoundTrips } from '@vigil/redis';
import { guardScriptKeys, KeyGuardLog, testStack, uniqueId } from '@vigil/testing';
import Redis from 'ioredis';
import { CountersEngine, CounterUpdate, EntityEventOps } from './counters-engine';
import { CLAIM_LUA, CLAIM_SCRIPT_NAME, COUNTERS_LUA, COUNTERS_SCRIPT_NAME } from './counters.lua';

const MIN = 60_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');

describe('CountersEngine (real Redis)', () => {
  let client: RedisClient;
  let keys: RedisKeys;
  let engine: CountersEngine;
  let guard: KeyGuardLog;
  const tenantId = 'market';

  beforeAll(() => {
    client = createRedisClient({ url: testStack().redisUrl, keyPrefix: '' });
    if (!(client instanceof Redis)) throw new Error('the test stack Redis is a standalone server');
    // Lua key guard (@vigil/testing): every key a script touches declared, one slot per call
    guard = guardScriptKeys(client, [
      { name: COUNTERS_SCRIPT_NAME, lua: COUNTERS_LUA },
      { name: CLAIM_SCRIPT_NAME, lua: CLAIM_LUA, numberOfKeys: 1 },
    ]);
    keys = new RedisKeys(`vigil-test:${uniqueId('counters')}`);
    engine = new CountersEngine(client, keys, { allowedLatenessMs: 5 * MIN, maxWindowMs: 60 * MIN });
  });
  afterAll(async () => {
    await client.quit();
  });

  const orders: CounterUpdate = { counter: 'order.count', kind: 'count', windowsMs: [10 * MIN, 60 * MIN] };
  const amount = (value: number): CounterUpdate => ({ counter: 'order.amount', kind: 'sum', windowsMs: [10 * MIN], value });
  const ips = (ip: string): CounterUpdate => ({ counter: 'ip.distinct', kind: 'distinct', windowsMs: [10 * MIN], value: ip });
  const op = (accountId: string, eventId: string, t: number, updates: CounterUpdate[]): EntityEventOps => ({
    entity: { tenantId, type: 'account', id: accountId },
    eventId,
    occurredAtMs: t,
    updates,
  });

  it('counts, sums and distinct-counts per window in one round trip, and ignores redelivered events', async () => {
    const account = uniqueId('acc');
    const batch = [
      op(account, 'e1', T0, [orders, amount(10), ips('1.1.1.1')]),
      op(account, 'e2', T0 + MIN, [orders, amount(15.5), ips('1.1.1.2')]),
      op(account, 'e3', T0 + 2 * MIN, [orders, amount(4.5), ips('1.1.1.1')]),
    ];
    const before = (await redisRoundTrips.get()).values.reduce((sum, v) => sum + v.value, 0);
    const first = await engine.apply(batch);
    const after = (await redisRoundTrips.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(after - before).toBe(1);
    expect(first.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(first[2].counters['order.count']).toEqual({ [10 * MIN]: 3, [60 * MIN]: 3 });
    expect(first[2].counters['order.amount'][10 * MIN]).toBeCloseTo(30);
    expect(first[2].counters['ip.distinct'][10 * MIN]).toBe(2);
    expect(first[0].counters['order.count'][10 * MIN]).toBe(1);

    const replay = await engine.apply(batch);
    expect(replay.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(replay[2].counters['order.count'][10 * MIN]).toBe(3);
    expect(replay[2].counters['order.amount'][10 * MIN]).toBeCloseTo(30);
  });

  it('reads an entity back without writing: the counters its newest event saw, facts, distinct members and sets', async () => {
    const account = uniqueId('acc');
    const results = await engine.apply([
      { ...op(account, 'e1', T0, [orders, amount(10), ips('1.1.1.1')]), facts: [{ op: 'set', field: 'lastOrderAt', value: T0 }, { op: 'addToSet', set: 'devices', member: 'dev-1', limit: 50 }] },
      op(account, 'e2', T0 + 20 * MIN, [orders, amount(7), ips('1.1.1.2')]),
    ]);
    const entity = { tenantId, type: 'account', id: account };
    const before = await client.pttl(engine.entityKey(entity, 'cnt'));
    const snap = await engine.snapshot(entity, [orders, amount(0), ips('')], ['devices']);
    expect(snap.watermarkMs).toBe(T0 + 20 * MIN);
    // the same numbers the script gave the newest event
    expect(snap.counters).toEqual({ 'order.count@10m': results[1].counters['order.count'][10 * MIN], 'order.count@1h': 2, 'order.amount@10m': 7, 'ip.distinct@10m': 1 });
    expect(snap.facts).toEqual({ lastOrderAt: String(T0) });
    expect(snap.members['ip.distinct']).toEqual([{ id: '1.1.1.2', lastSeenMs: T0 + 20 * MIN }, { id: '1.1.1.1', lastSeenMs: T0 }]);
    expect(snap.sets).toEqual({ devices: ['dev-1'] });
    expect(await client.pttl(engine.entityKey(entity, 'cnt'))).toBeLessThanOrEqual(before); // nothing written, no TTL renewed
    expect(await engine.snapshot({ tenantId, type: 'account', id: uniqueId('never') }, [orders], [])).toMatchObject({ watermarkMs: 0, counters: { 'order.count@10m': 0 } });
  });

  it('gives a redelivered event the values of its first pass, not those of the events counted after it (crash before the commit)', async () => {
    const account = uniqueId('acc');
    const setOp = (eventId: string, t: number, device: string, updates: CounterUpdate[]): EntityEventOps => ({
      ...op(account, eventId, t, updates),
      facts: [
        { op: 'set', field: 'lastDevice', value: device },
        { op: 'addToSet', set: 'devices', member: device, limit: 10 },
      ],
    });
    // One call of the first pass (one chunk); the consumer dies before committing its offsets.
    const chunk = [
      setOp('r1', T0, 'd1', [orders, amount(10), ips('1.1.1.1')]),
      setOp('r2', T0 + MIN, 'd2', [orders, amount(5), ips('1.1.1.2')]),
      setOp('r3', T0 + 2 * MIN, 'd3', [orders, amount(1), ips('1.1.1.3')]),
    ];
    const first = await engine.apply(chunk);
    // The standby re-reads the same events in the same order, chunked differently, then new ones.
    const again = [...(await engine.apply([chunk[0]])), ...(await engine.apply([chunk[1]])), ...(await engine.apply([chunk[2], setOp('r4', T0 + 3 * MIN, 'd4', [orders])]))];
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'applied']);
    for (let i = 0; i < 3; i++) {
      expect(again[i].counters).toEqual(first[i].counters);
      expect(again[i].facts).toEqual(first[i].facts);
      expect(again[i].sets).toEqual(first[i].sets);
    }
    // What a re-read of the state would have said: r1 seeing its successors.
    expect(first[0].counters['order.count'][10 * MIN]).toBe(1);
    expect(first[0].counters['ip.distinct'][10 * MIN]).toBe(1);
    expect(first[0].facts['lastDevice']).toBe('d1');
    expect(again[3].counters['order.count'][10 * MIN]).toBe(4);
  });

  it('gives a redelivered event its first pass even when later events of its call moved the watermark beyond the lateness since', async () => {
    const account = uniqueId('acc');
    // One chunk spanning more event time than the allowed lateness (5 min); the attempt fails
    // after its counters were written (a Redis connection lost) and the same chunk is retried.
    const chunk = [op(account, 'w1', T0, [orders, amount(7)]), op(account, 'w2', T0 + 2 * MIN, [orders, amount(1)]), op(account, 'w3', T0 + 20 * MIN, [orders, amount(2)])];
    const first = await engine.apply(chunk);
    const again = await engine.apply(chunk);
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(again.map((r) => r.counters)).toEqual(first.map((r) => r.counters));
    expect(again[1].counters['order.amount'][10 * MIN]).toBeCloseTo(8);
  });

  it('calls an event of an earlier call "settled" on a redelivery: its chunk had published before the entity\'s last call', async () => {
    const account = uniqueId('acc');
    const chunk1 = [op(account, 's1', T0, [orders, ips('1.1.1.1')]), op(account, 's2', T0 + MIN, [orders, ips('1.1.1.2')])];
    const chunk2 = [op(account, 's3', T0 + 2 * MIN, [orders, ips('1.1.1.3')])];
    await engine.apply(chunk1);
    const [third] = await engine.apply(chunk2);
    // The consumer died before committing either chunk: both come again, in order, then a new event.
    const again = await engine.apply([...chunk1, ...chunk2, op(account, 's4', T0 + 3 * MIN, [orders])]);
    expect(again.map((r) => r.status)).toEqual(['settled', 'settled', 'duplicate', 'applied']);
    // Settled: no values (nothing to evaluate); the last call's final event reads the state it left.
    expect(again[0].counters).toEqual({});
    expect(again[2].counters).toEqual(third.counters);
    expect(again[3].counters['order.count'][10 * MIN]).toBe(4);
  });

  it('keeps the replay record only for the redelivery window', async () => {
    const account = uniqueId('acc');
    const short = new CountersEngine(client, keys, { allowedLatenessMs: 5 * MIN, maxWindowMs: 60 * MIN, redeliveryWindowMs: 200 });
    const lastKey = `${short.entityKey({ tenantId, type: 'account', id: account })}:last`;
    await short.apply([op(account, 'w1', T0, [orders])]);
    expect(await client.pttl(lastKey)).toBeGreaterThan(0);
    expect(await client.pttl(lastKey)).toBeLessThanOrEqual(200);
  });

  it('keeps the state of engines with different namespaces apart: both count the same event on the same entity', async () => {
    const account = uniqueId('acc');
    const other = new CountersEngine(client, keys, { allowedLatenessMs: 5 * MIN, maxWindowMs: 60 * MIN, namespace: 'other-consumer' });
    const event = op(account, 'shared-event', T0, [orders]);
    const [mine] = await engine.apply([event]);
    const [theirs] = await other.apply([event]);
    expect(mine.status).toBe('applied');
    // Without a namespace of its own the second consumer would see a duplicate and count nothing.
    expect(theirs.status).toBe('applied');
    expect(theirs.counters['order.count'][10 * MIN]).toBe(1);
    // A newer event seen by one engine does not make the other's events late.
    await other.apply([op(account, 'later', T0 + 30 * MIN, [orders])]);
    const [again] = await engine.apply([op(account, 'mine-2', T0 + MIN, [orders])]);
    expect(again.status).toBe('applied');
    expect(again.counters['order.count'][10 * MIN]).toBe(2);
  });

  it('applies the order-independent facts of a late event (max), but not its counters or last-write-wins facts', async () => {
    const account = uniqueId('acc');
    const at = (eventId: string, t: number, facts: EntityEventOps['facts']): EntityEventOps => ({ ...op(account, eventId, t, [orders]), facts });
    await engine.apply([at('new', T0 + 60 * MIN, [{ op: 'set', field: 'last', value: 'new' }])]);
    const [late] = await engine.apply([
      at('old', T0, [
        { op: 'max', field: 'payoutChangedAt', value: T0 },
        { op: 'set', field: 'last', value: 'old' },
      ]),
    ]);
    expect(late.status).toBe('late');
    const [next] = await engine.apply([at('newer', T0 + 61 * MIN, [])]);
    expect(next.facts['payoutChangedAt']).toBe(String(T0));
    expect(next.facts['last']).toBe('new');
  });

  it('slides the window over event time and puts out-of-order events in their own bucket', async () => {
    const account = uniqueId('acc');
    await engine.apply([op(account, 'a', T0, [orders]), op(account, 'b', T0 + 30 * MIN, [orders])]);
    // An out-of-order event (28m, after the 30m one) within the lateness lands in its own bucket;
    // its values are those of the window ending at ITS time: the 30m order is not in it yet.
    const [late] = await engine.apply([op(account, 'c', T0 + 28 * MIN, [orders])]);
    expect(late.status).toBe('applied');
    expect(late.counters['order.count']).toEqual({ [10 * MIN]: 1, [60 * MIN]: 2 });
    // Beyond the allowed lateness (5m before the newest event): counted as late, not applied.
    const [tooLate] = await engine.apply([op(account, 'd', T0 + 20 * MIN, [orders])]);
    expect(tooLate.status).toBe('late');
    const [next] = await engine.apply([op(account, 'e', T0 + 31 * MIN, [orders])]);
    expect(next.counters['order.count']).toEqual({ [10 * MIN]: 3, [60 * MIN]: 4 });
  });

  it('keeps facts, bounded first-seen sets and a decayed baseline, and sets a TTL on every key', async () => {
    const account = uniqueId('acc');
    const entity = { tenantId, type: 'account', id: account };
    const results = await engine.apply([
      { entity, eventId: 'c1', occurredAtMs: T0, updates: [], facts: [{ op: 'setIfAbsent', field: 'createdAt', value: T0 }] },
      { entity, eventId: 'c2', occurredAtMs: T0 + 1, updates: [], facts: [{ op: 'setIfAbsent', field: 'createdAt', value: 5 }] },
      ...['d1', 'd2', 'd3'].map((device, i) => ({
        entity,
        eventId: `l${i}`,
        occurredAtMs: T0 + 2 + i,
        updates: [],
        facts: [{ op: 'addToSet' as const, set: 'devices', member: device, limit: 2 }],
      })),
      { entity, eventId: 'l9', occurredAtMs: T0 + 9, updates: [], facts: [{ op: 'addToSet', set: 'devices', member: 'd1', limit: 2 }] },
    ]);
    expect(results[1].facts['createdAt']).toBe(String(T0));
    expect(results[2].sets['devices']).toEqual({ isNew: true, size: 1 });
    expect(results[4].sets['devices']).toEqual({ isNew: true, size: 2 }); // full: reported new, not stored
    expect(results[5].sets['devices']).toEqual({ isNew: false, size: 2 });

    // Baseline: 1 order per 10-minute period for 5 periods, then a burst of 6.
    const periodic: CounterUpdate = { counter: 'order.count', kind: 'count', windowsMs: [10 * MIN], baseline: true };
    const quiet = Array.from({ length: 5 }, (_, i) => ({ entity, eventId: `q${i}`, occurredAtMs: T0 + i * 10 * MIN, updates: [periodic] }));
    await engine.apply(quiet);
    const burst = await engine.apply(
      Array.from({ length: 6 }, (_, i) => ({ entity, eventId: `b${i}`, occurredAtMs: T0 + 50 * MIN + i, updates: [periodic] })),
    );
    const baseline = burst[5].baselines['order.count'];
    expect(baseline.current).toBe(6);
    expect(baseline.periods).toBe(5);
    expect(baseline.mean).toBeGreaterThan(0.3);
    expect(baseline.mean).toBeLessThan(1);

    // Compact state: one key per kind of state, whatever the number of events, counters and windows.
    const stored = await client.keys(`${engine.entityKey(entity)}*`);
    expect(stored.map((k) => k.slice(engine.entityKey(entity).length)).sort()).toEqual([':cnt', ':dd', ':facts', ':last', ':set:devices']);
    for (const key of stored) expect(await client.pttl(key)).toBeGreaterThan(0);
  });

  it('keeps dedupe markers only within the lateness: an older redelivery is late, never counted twice', async () => {
    const account = uniqueId('acc');
    const events = Array.from({ length: 30 }, (_, i) => op(account, `m${i}`, T0 + i * MIN, [orders]));
    await engine.apply(events.slice(0, 29));
    await engine.apply(events.slice(29));
    const ddKey = engine.entityKey({ tenantId, type: 'account', id: account }, 'dd');
    // watermark T0+29m, lateness 5m: markers of T0+24m..T0+29m remain
    expect(await client.zcard(ddKey)).toBe(6);
    // m29: the last call's final event; m24: marked, of an earlier call (settled); m10: no marker left
    const again = await engine.apply([events[29], events[24], events[10]]);
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'settled', 'late']);
    const [next] = await engine.apply([op(account, 'm30', T0 + 30 * MIN, [orders])]);
    expect(next.counters['order.count'][60 * MIN]).toBe(31);
  });

  it('counts distinct members exactly over sliding sub-buckets and saturates at the cap', async () => {
    const capped = new CountersEngine(client, keys, { allowedLatenessMs: 5 * MIN, maxWindowMs: 60 * MIN, distinctCap: 5, namespace: 'capped' });
    const account = uniqueId('acc');
    const hourIps = (ip: string): CounterUpdate => ({ counter: 'ip.distinct', kind: 'distinct', windowsMs: [10 * MIN, 60 * MIN], value: ip });
    const seen = await capped.apply([
      op(account, 'i1', T0, [hourIps('a')]),
      op(account, 'i2', T0 + MIN, [hourIps('b')]),
      op(account, 'i3', T0 + 2 * MIN, [hourIps('a')]),
      op(account, 'i4', T0 + 20 * MIN, [hourIps('c')]),
    ]);
    expect(seen.map((r) => r.counters['ip.distinct'])).toEqual([
      { [10 * MIN]: 1, [60 * MIN]: 1 },
      { [10 * MIN]: 2, [60 * MIN]: 2 },
      { [10 * MIN]: 2, [60 * MIN]: 2 },
      // 20 minutes on: a and b left the 10-minute window, not the hour
      { [10 * MIN]: 1, [60 * MIN]: 3 },
    ]);
    const more = await capped.apply(['d', 'e', 'f', 'g'].map((ip, i) => op(account, `j${i}`, T0 + 21 * MIN + i, [hourIps(ip)])));
    expect(more.map((r) => r.counters['ip.distinct'][60 * MIN])).toEqual([4, 5, 5, 5]);
    // Two hours later every member left the window: the counter has room again.
    const [later] = await capped.apply([op(account, 'k', T0 + 150 * MIN, [hourIps('h')])]);
    expect(later.counters['ip.distinct']).toEqual({ [10 * MIN]: 1, [60 * MIN]: 1 });
    const dst = await client.hgetall(capped.entityKey({ tenantId, type: 'account', id: account }, 'dst'));
    expect(Object.keys(dst).filter((f) => f.startsWith('ip.distinct|'))).toEqual(['ip.distinct|h']);
  });

  it('leaves the same state whatever the chunking of the events (trims follow the events, not the calls)', async () => {
    // Two engines (namespaces) get the same events of one entity: one in a single call, the
    // other in chunks of 1 to 40 (as fetch timing would split them). Every key must be equal.
    const account = uniqueId('acc');
    const whole = new CountersEngine(client, keys, { allowedLatenessMs: 5 * MIN, maxWindowMs: 60 * MIN, namespace: 'chunk-whole' });
    const split = new CountersEngine(client, keys, { allowedLatenessMs: 5 * MIN, maxWindowMs: 60 * MIN, namespace: 'chunk-split' });
    // Three simulated hours, a few seconds apart, with enough sub-buckets and members to trim.
    const events = Array.from({ length: 600 }, (_, i) =>
      op(account, `ev-${i}`, T0 + i * 18_000 - (i % 7 === 3 ? 40_000 : 0), [orders, amount(i % 13), ips(`10.0.${i % 5}.${(i * 7) % 251}`)]),
    );
    await whole.apply(events);
    let seed = 7;
    for (let i = 0; i < events.length; ) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const size = 1 + (seed % 40);
      await split.apply(events.slice(i, i + size));
      i += size;
    }
    const dump = async (engine: CountersEngine) => {
      const base = engine.entityKey({ tenantId, type: 'account', id: account });
      return {
        facts: await client.hgetall(`${base}:facts`),
        cnt: await client.hgetall(`${base}:cnt`),
        dst: await client.hgetall(`${base}:dst`),
        dd: await client.zrange(`${base}:dd`, 0, -1, 'WITHSCORES'),
      };
    };
    const [a, b] = await Promise.all([dump(whole), dump(split)]);
    // The trims did run: far fewer sub-buckets and members than three hours of events made.
    expect(Object.keys(a.cnt).length).toBeGreaterThan(10);
    expect(Object.keys(a.dst).length).toBeLessThan(600);
    expect(b).toEqual(a);
  });

  it('claims a name once, but lets the same value claim again', async () => {
    const entity = { tenantId, type: 'account', id: uniqueId('acc') };
    const claims = await engine.claimOnce([
      { entity, name: 'fired:r1:7', value: 'sig-a', ttlMs: MIN },
      { entity, name: 'fired:r1:7', value: 'sig-a', ttlMs: MIN },
      { entity, name: 'fired:r1:7', value: 'sig-b', ttlMs: MIN },
    ]);
    expect(claims).toEqual([true, true, false]);
  });

  it('declared every key the scripts touched, each call within one slot', () => {
    expect(guard.count(COUNTERS_SCRIPT_NAME)).toBeGreaterThan(10);
    expect(guard.count(CLAIM_SCRIPT_NAME)).toBeGreaterThan(0);
    expect(guard.crossSlotCalls()).toEqual([]);
  });
});
