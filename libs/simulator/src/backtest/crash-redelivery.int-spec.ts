import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FraudSignal, VigilEvent } from '@vigil/contracts';
import { createRedisClient, RedisClient, RedisKeys } from '@vigil/redis';
import { parseRulesFile } from '@vigil/rules';
import { resolveOptions, SellerDetectors } from '@vigil/seller-detectors';
import { testStack, uniqueId } from '@vigil/testing';
import { PassEvent, VELOCITY_RULES_OPTIONS, VelocityPass } from '@vigil/velocity-scoring';
import { simulate } from '../generator/simulate';
import { chunksOf, deleteKeyPrefix, prepareStream, runOfflinePass } from './offline-backtest';

/*
 * Velocity's exactly-once claim, without Kafka: a consumer killed after a chunk's counters were
 * written and before its signals were published, and its successor redelivering from an older
 * committed offset and cutting its chunks elsewhere, publish between them exactly the signals of
 * one undisturbed pass. The successor is the live consumer's situation after a crash (the
 * cluster and fault suites do it with real processes, at one moment each); here the crash point,
 * the commit lag and both chunk sizes vary, and the killed chunk is also cut off part-way
 * through its Redis writes (a kill -9 during a pipeline, or a Redis node lost mid-batch).
 */
const RULES = parseRulesFile(
  readFileSync(join(__dirname, '../../../../services/velocity/rules/velocity-rules.yaml'), 'utf8'),
  VELOCITY_RULES_OPTIONS,
);
const LATENESS_MS = 10 * 60_000;

interface Crash {
  /** events per chunk before the crash, and after it */
  before: number;
  after: number;
  /** the chunk in hand when the consumer dies (counted, not published) */
  killedChunk: number;
  /** chunks published but not yet committed when it dies: redelivered too */
  uncommitted: number;
  /** only the entities of the killed chunk whose key hashes even were written */
  partialWrite: boolean;
}

const released = (events: readonly VigilEvent[]): PassEvent[] => events.map((value) => ({ value, late: false, beyondLateness: false }));
const hash = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

/**
 * A Redis connection and the signals of one undisturbed pass over `events` (chunks of
 * `chunkSize`), for the tests of a describe block. `newState()` gives a state of its own (a key
 * prefix, deleted afterwards) and makes velocity passes on it: a consumer and its successor.
 */
function undisturbedRun(events: readonly VigilEvent[], chunkSize: number) {
  const run = { redis: undefined as unknown as RedisClient, reference: new Set<string>(), newState };
  const prefixes: string[] = [];
  function newState(): () => VelocityPass {
    const prefix = `vigil-test:${uniqueId('redelivery')}`;
    prefixes.push(prefix);
    const keys = new RedisKeys(prefix);
    return () => new VelocityPass(run.redis, keys, new SellerDetectors(run.redis, keys, resolveOptions()), LATENESS_MS);
  }
  beforeAll(async () => {
    run.redis = createRedisClient({ url: testStack().redisUrl, keyPrefix: '' });
    run.reference = new Set((await runOfflinePass({ redis: run.redis, events, rules: RULES, chunkSize })).map((s) => s.signalId));
  }, 120_000);
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeyPrefix(run.redis, prefix);
    run.redis.disconnect();
  });
  return run;
}

describe('velocity after a crash between counting and publishing (real Redis)', () => {
  // 40 minutes: every pattern, so most rules and both signal sources fire.
  const events = prepareStream(simulate({ seed: 5, minutes: 40, inject: ['all'], tenantId: 'tenant-crash' }).events).events;
  const run = undisturbedRun(events, 100);

  /** The signals published by the killed consumer and its successor, on a state of their own. */
  async function crashAndRedeliver(crash: Crash): Promise<FraudSignal[]> {
    const newPass = run.newState();
    const published: FraudSignal[] = [];
    const chunks = chunksOf(events, crash.before);
    const killed = newPass();
    for (const chunk of chunks.slice(0, crash.killedChunk)) published.push(...(await killed.run(released(chunk), RULES)));
    if (crash.partialWrite) {
      // The process dies inside the counters' round trip: half of the entities' scripts ran.
      const engine = killed.engine;
      const apply = engine.apply.bind(engine);
      engine.apply = async (ops) => {
        await apply(ops.filter((op) => hash(engine.entityKey(op.entity)) % 2 === 0));
        throw new Error('killed during the counters round trip');
      };
      await expect(killed.run(released(chunks[crash.killedChunk]), RULES)).rejects.toThrow('killed');
    } else {
      await killed.run(released(chunks[crash.killedChunk]), RULES); // counted and claimed; never published
    }
    const committed = Math.max(0, crash.killedChunk - crash.uncommitted) * crash.before;
    const successor = newPass();
    for (const chunk of chunksOf(events.slice(committed), crash.after)) published.push(...(await successor.run(released(chunk), RULES)));
    return published;
  }

  it.each<Crash>([
    { before: 100, after: 100, killedChunk: 12, uncommitted: 0, partialWrite: false },
    { before: 122, after: 55, killedChunk: 20, uncommitted: 3, partialWrite: false },
    { before: 47, after: 205, killedChunk: 40, uncommitted: 2, partialWrite: true },
    { before: 200, after: 22, killedChunk: 9, uncommitted: 1, partialWrite: true },
  ])('killed in chunk $killedChunk of $before events ($uncommitted more uncommitted, partial write: $partialWrite), redelivered in chunks of $after: the undisturbed signals, none missing, none extra', async (crash) => {
    expect(crash.killedChunk * crash.before).toBeLessThan(events.length);
    const published = new Set((await crashAndRedeliver(crash)).map((s) => s.signalId));
    expect(run.reference.size).toBeGreaterThan(50);
    expect([...run.reference].filter((id) => !published.has(id))).toEqual([]);
    expect([...published].filter((id) => !run.reference.has(id))).toEqual([]);
  }, 120_000);
});

/*
 * The same without a crash: an attempt fails after the chunk's counters were written (the Redis
 * connection lost during a failover) and the consumer retries the same chunk. Seed 11 has a
 * chunk of 1,000 events spanning more event time than the allowed lateness, with an account's
 * order burst in it: the cluster suite lost that burst's signal this way.
 */
describe('velocity retrying a chunk whose counters were written (real Redis)', () => {
  const events = prepareStream(simulate({ seed: 11, minutes: 40, inject: ['all'], tenantId: 'tenant-retry' }).events).events;
  const chunks = chunksOf(events, 1000);
  const run = undisturbedRun(events, 1000);

  it.each([
    ['every entity', () => true],
    ['the entities whose key hashes even', (key: string) => hash(key) % 2 === 0],
    ['the entities whose key hashes odd', (key: string) => hash(key) % 2 === 1],
  ])('each chunk fails once after writing %s, then passes: the undisturbed signals', async (_, written: (key: string) => boolean) => {
    const pass = run.newState()();
    const engine = pass.engine;
    const apply = engine.apply.bind(engine);
    const published: FraudSignal[] = [];
    for (const chunk of chunks) {
      engine.apply = async (ops) => {
        engine.apply = apply;
        await apply(ops.filter((op) => written(engine.entityKey(op.entity))));
        throw new Error('Connection is closed.');
      };
      await expect(pass.run(released(chunk), RULES)).rejects.toThrow('Connection is closed.');
      published.push(...(await pass.run(released(chunk), RULES)));
    }
    const ids = new Set(published.map((s) => s.signalId));
    expect(run.reference.size).toBeGreaterThan(50);
    expect([...run.reference].filter((id) => !ids.has(id))).toEqual([]);
    expect([...ids].filter((id) => !run.reference.has(id))).toEqual([]);
  }, 120_000);
});

