import IORedis from 'ioredis';
import { FraudSignal, TopicNames, topicNames, VigilEvent, eventTimeMs } from '@vigil/contracts';
import { BatchConsumerFactory, MessagePublisher, OutboundMessage } from '@vigil/kafka';
import { RedisKeys } from '@vigil/redis';
import { guardScriptKeys, KeyGuardLog, testConfig, testStack, uniqueId } from '@vigil/testing';
import { ReviewAnalysisConfig } from '../config';
import { accountCreated, DAY, HOUR, login, MINUTE, orderPlaced, RawEvent, reviewPosted } from '../../test-support/review-events';
import { ReviewAnalysisService } from './review-analysis.service';
import { REVIEW_STATE_LUA, REVIEW_STATE_SCRIPT } from './review-state.lua';
import { ReviewStateStore } from './review-state.store';

/*
 * The review-state script under the Lua key guard (libs/testing/src/lua-key-guard.ts): every key
 * it touches must be declared in KEYS and all of one call's KEYS must share one Cluster slot, as
 * a Redis Cluster requires. Each detector whose facts come from other entities' state (lockstep,
 * text campaign, self-dealing, redelivery) runs through it against the real Redis.
 */

const T0 = Date.parse('2026-09-01T00:00:00Z');

describe('review-state script declares every key it touches, in one slot', () => {
  let redis: IORedis;
  let log: KeyGuardLog;
  let config: ReviewAnalysisConfig;
  let service: ReviewAnalysisService;
  const published: FraudSignal[] = [];

  beforeAll(() => {
    config = testConfig(ReviewAnalysisConfig);
    redis = new IORedis(testStack().redisUrl);
    // registered guarded first: the store's defineScripts keeps the guarded definition
    log = guardScriptKeys(redis, [{ name: REVIEW_STATE_SCRIPT, lua: REVIEW_STATE_LUA }]);
    const store = new ReviewStateStore(redis, new RedisKeys(config.REDIS_KEY_PREFIX), config);
    store.onModuleInit();
    const publisher: MessagePublisher = {
      publish: async (messages: OutboundMessage[]) => {
        for (const m of messages) published.push(JSON.parse(String(m.value)) as FraudSignal);
      },
    };
    const topics: TopicNames = topicNames(config.VIGIL_TOPIC_PREFIX);
    service = new ReviewAnalysisService(null as unknown as BatchConsumerFactory, store, publisher, config, topics);
  });

  afterAll(() => redis.disconnect());

  /** Feeds events in event-time order, `batch` at a time, as the event-time consumer releases them. */
  async function feed(events: RawEvent[], batch = 50): Promise<void> {
    const sorted = [...events].sort((a, b) => eventTimeMs(a as unknown as VigilEvent) - eventTimeMs(b as unknown as VigilEvent) || a.id.localeCompare(b.id));
    for (let i = 0; i < sorted.length; i += batch) {
      await service.handleBatch(sorted.slice(i, i + batch).map((e) => ({ value: e as unknown as VigilEvent, beyondLateness: false })));
    }
  }
  const signalsOf = (tenant: string, ruleId: string) => published.filter((s) => s.subject.tenantId === tenant && s.ruleId === ruleId);

  it('flags a lockstep ring at the review that completes it, from pair counts of co-reviews', async () => {
    const t = uniqueId('lock');
    const events: RawEvent[] = [];
    ['ring-a', 'ring-b', 'ring-c'].forEach((author, a) =>
      ['prod-x', 'prod-y', 'prod-z'].forEach((product, p) =>
        events.push(reviewPosted(t, T0 + 6 * DAY + (p * 3 + a) * 20 * MINUTE, { authorId: author, sellerId: `seller-${p}`, productId: product, rating: 5, text: 'Nice' })),
      ),
    );
    // an honest reviewer of one of the products is no peer
    events.push(reviewPosted(t, T0 + 6 * DAY + 200 * MINUTE, { authorId: 'honest-1', sellerId: 'seller-2', productId: 'prod-z', rating: 4, text: 'Fine' }));
    await feed(events, 4);
    const lockstep = signalsOf(t, 'review-lockstep');
    expect(lockstep.map((s) => s.subject.id)).toEqual(['ring-c']);
    expect(lockstep[0].evidence?.['groupMembers']).toEqual([
      { account: 'ring-a', sharedItems: 3 },
      { account: 'ring-b', sharedItems: 3 },
    ]);
    expect(lockstep[0].measurements.find((m) => m.name === 'lockstep_group_size')?.value).toBe(3);
  });

  it('weighs near-duplicate texts by their authors\' age without reading the authors\' keys', async () => {
    const t = uniqueId('text');
    const complaints = [
      'This seller is a total scam: I paid 300 euros for a phone, it never shipped and support ignores every message.',
      'Total SCAM seller!! Paid 300 euro for the phone... never shipped, and support ignores all messages',
      'support ignores every message, the phone never shipped. I paid 300 euros. this seller is a scam',
      'A scam seller: paid 300 euros for a phone that never shipped; support ignores my messages!!!',
    ];
    const events: RawEvent[] = [];
    complaints.forEach((text, i) => {
      events.push(accountCreated(t, `fud-${i}`, T0 + 7 * DAY + i * HOUR));
      events.push(reviewPosted(t, T0 + 7 * DAY + 6 * HOUR + i * 2 * HOUR, { reviewId: `fud-rev-${i}`, authorId: `fud-${i}`, sellerId: 'target-shop', rating: 1, text }));
    });
    await feed(events, 3);
    const [first] = signalsOf(t, 'review-text-campaign');
    expect(first.subject).toEqual({ type: 'seller', id: 'target-shop', tenantId: t });
    // every account is new: each weighs 2, so the third review already reaches weight 6
    expect(first.evidence?.['reviewId']).toBe('fud-rev-2');
    expect(first.measurements.find((m) => m.name === 'new_accounts')?.value).toBe(3);
    expect(first.measurements.find((m) => m.name === 'weighted_accounts')?.value).toBe(6);
    expect(first.severity).toBe('high');
  });

  it('finds self-dealing links and counts a redelivered burst once, with the same signal ids', async () => {
    const t = uniqueId('link');
    const events = [
      accountCreated(t, 'shop-1', T0 - 300 * DAY, { seller: true, deviceId: 'dev-shop-owner' }),
      login(t, 'shop-1', T0, { deviceId: 'dev-shop-owner', ip: '198.51.100.9' }),
      accountCreated(t, 'sock-1', T0 + 1 * DAY, { deviceId: 'dev-shop-owner' }),
      orderPlaced(t, 'sock-1', 'shop-1', T0 + 1 * DAY + HOUR),
      ...Array.from({ length: 10 }, (_, i) =>
        reviewPosted(t, T0 + 2 * DAY + i * MINUTE, { authorId: i === 0 ? 'sock-1' : `burst-${i}`, sellerId: 'shop-1', rating: 5, text: 'Best shop ever' }),
      ),
    ];
    await feed(events);
    const first = published.filter((s) => s.subject.tenantId === t).map((s) => s.signalId);
    await feed(events); // redelivered: the stored facts answer
    const all = published.filter((s) => s.subject.tenantId === t);
    expect(all.map((s) => s.signalId)).toEqual([...first, ...first]);
    expect(signalsOf(t, 'review-self-dealing')[0].evidence?.['sharedLinks']).toEqual(['device:dev-shop-owner']);
    const burst = signalsOf(t, 'review-burst').map((s) => s.measurements[0].value);
    expect(Math.max(...burst)).toBe(10);
  });

  it('made every call with declared keys of one slot, and put a TTL on every key', async () => {
    // one round trip per tenant and batch: 3 + 3 + 2 x 1 batches above
    expect(log.count(REVIEW_STATE_SCRIPT)).toBe(8);
    expect(log.calls.every((c) => c.keys.length > 1)).toBe(true);
    expect(log.crossSlotCalls()).toEqual([]);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${config.REDIS_KEY_PREFIX}:*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    expect(keys.some((k) => k.includes(':pairs:'))).toBe(true);
    const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
    expect(keys.filter((_, i) => ttls[i] < 0)).toEqual([]);
  });
});
