import { INestApplication } from '@nestjs/common';
import IORedis from 'ioredis';
import { FraudSignal, topicNames } from '@vigil/contracts';
import { startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { consumerGroupId } from '@vigil/service-runtime';
import { AppModule } from '../app.module';
import { ReviewAnalysisConfig } from '../config';
import {
  accountCreated,
  consumedAll,
  DAY,
  EventSender,
  honestReviewText,
  HOUR,
  login,
  MINUTE,
  orderPlaced,
  prng,
  RawEvent,
  reviewPosted,
  topicSize,
} from '../../test-support/review-events';

const T0 = Date.parse('2026-09-01T00:00:00Z');

/** Ordinary marketplace: 80 established buyers, 4 sellers, 8 products, 6 weeks of reviews, one per buyer per day at most. */
function honestTraffic(tenant: string): RawEvent[] {
  const random = prng(7);
  const events: RawEvent[] = [];
  const sellers = ['s-1', 's-2', 's-3', 's-4'];
  for (const s of sellers) events.push(accountCreated(tenant, s, T0 - 400 * DAY, { seller: true }), login(tenant, s, T0, { deviceId: `dev-${s}`, ip: `172.16.0.${sellers.indexOf(s) + 1}` }));
  for (let b = 0; b < 80; b++) {
    const buyer = `b-${b}`;
    events.push(accountCreated(tenant, buyer, T0 - (60 + b) * DAY));
    // Each buyer shops at two sellers.
    events.push(orderPlaced(tenant, buyer, sellers[b % 4], T0 + b * HOUR), orderPlaced(tenant, buyer, sellers[(b + 1) % 4], T0 + b * HOUR + MINUTE));
  }
  for (let day = 1; day <= 42; day++) {
    for (let n = 0; n < 12; n++) {
      const buyer = `b-${(day * 7 + n * 13) % 80}`;
      const sellerIndex = Math.floor(random() * 4);
      const { text, rating } = honestReviewText(random);
      events.push(
        reviewPosted(tenant, T0 + day * DAY + n * 110 * MINUTE, {
          authorId: buyer,
          sellerId: sellers[sellerIndex],
          productId: `p-${sellerIndex}-${Math.floor(random() * 2)}`,
          rating,
          text,
        }),
      );
    }
  }
  return events;
}

describe('review-analysis detectors on the real stack', () => {
  let app: INestApplication;
  let config: ReviewAnalysisConfig;
  let probe: TopicProbe<FraudSignal>;
  let sender: EventSender;
  const tenants = {
    honest: uniqueId('honest'),
    burst: uniqueId('burst'),
    link: uniqueId('link'),
    hire: uniqueId('hire'),
    lockstep: uniqueId('lock'),
    text: uniqueId('text'),
    shift: uniqueId('shift'),
  };
  const signalsOf = (tenant: string, ruleId?: string) =>
    probe.messages.map((m) => m.value).filter((s) => s.subject.tenantId === tenant && (!ruleId || s.ruleId === ruleId));

  beforeAll(async () => {
    config = testConfig(ReviewAnalysisConfig, { REVIEW_CONSUMER_GROUP: uniqueId('review-analysis') });
    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    app = await startTestApp(AppModule.register(config), config);
    probe = await TopicProbe.start<FraudSignal>(testStack().brokers, [topics.signals]);
    sender = await EventSender.connect(testStack().brokers, config.VIGIL_TOPIC_PREFIX);
  }, 60_000);

  afterAll(async () => {
    await sender?.close();
    await probe?.stop();
    await app?.close();
  });

  it('fires review-burst for a burst of 5-star reviews against the product and seller baseline, counting redelivered events once', async () => {
    const t = tenants.burst;
    const events: RawEvent[] = [];
    for (let day = 1; day <= 14; day++) {
      for (let n = 0; n < 2; n++) events.push(reviewPosted(t, T0 + day * DAY + n * 5 * HOUR, { authorId: `old-${day}-${n}`, sellerId: 'seller-b', productId: 'prod-b', rating: 3 + n, text: 'ok' }));
    }
    const burst = Array.from({ length: 12 }, (_, i) =>
      reviewPosted(t, T0 + 15 * DAY + 10 * HOUR + i * 3 * MINUTE, { authorId: `burst-${i}`, sellerId: 'seller-b', productId: 'prod-b', rating: 5, text: 'Amazing!' }),
    );
    await sender.send([...events, ...burst, ...burst]); // every burst review delivered twice
    const signals = await probe.waitFor(2, (m) => m.value.subject.tenantId === t && m.value.ruleId === 'review-burst');
    await waitFor('all burst events consumed', () => consumedAll(testStack().brokers, consumerGroupId(config, config.REVIEW_CONSUMER_GROUP), [topicNames(config.VIGIL_TOPIC_PREFIX).events.reviews]));
    const all = signalsOf(t, 'review-burst');
    expect(new Set(all.map((s) => s.subject.type))).toEqual(new Set(['product', 'seller']));
    const counts = all.map((s) => s.measurements.find((m) => m.name === 'reviews.5star.count')?.value ?? 0);
    expect(Math.max(...counts)).toBe(12); // not 24: redelivered reviews are counted once
    expect(signals[0].value.triggeringEvents[0].eventId).toMatch(/review\.posted/);
    // The shared fraud.signals wire format (signalRecord): keyed by tenant and subject, with routing headers.
    const { key, headers, value } = signals[0];
    expect(key).toBe(`${t}:${value.subject.type}:${value.subject.id}`);
    expect(headers).toMatchObject({ 'vigil-rule': 'review-burst', 'vigil-mode': value.mode, 'vigil-schema-version': '1' });
    expect(value.ruleVersion).toBe(2);
  });

  it('fires review-self-dealing when the reviewer shares a device with the seller, and review-padding-profile for a new sole-seller buyer', async () => {
    const t = tenants.link;
    await sender.send([
      accountCreated(t, 'shop-1', T0 - 300 * DAY, { seller: true, deviceId: 'dev-shop-owner' }),
      login(t, 'shop-1', T0, { deviceId: 'dev-shop-owner', ip: '198.51.100.9' }),
      accountCreated(t, 'sock-1', T0 + 1 * DAY, { deviceId: 'dev-shop-owner' }),
      accountCreated(t, 'fresh-1', T0 + 3 * DAY),
      orderPlaced(t, 'fresh-1', 'shop-1', T0 + 3 * DAY + HOUR),
      // Accounts, orders and reviews travel on different topics, all at once: the consumer merges
      // them in event time, so each review sees exactly the links learned before it.
      reviewPosted(t, T0 + 2 * DAY, { reviewId: 'rev-sock', authorId: 'sock-1', sellerId: 'shop-1', rating: 5, text: 'Best shop ever' }),
      reviewPosted(t, T0 + 4 * DAY, { reviewId: 'rev-fresh', authorId: 'fresh-1', sellerId: 'shop-1', rating: 5, text: 'Perfect' }),
    ]);
    const [selfDealing] = await probe.waitFor(1, (m) => m.value.subject.tenantId === t && m.value.ruleId === 'review-self-dealing');
    expect(selfDealing.value.subject).toEqual({ type: 'seller', id: 'shop-1', tenantId: t });
    expect(selfDealing.value.evidence?.['sharedLinks']).toEqual(['device:dev-shop-owner']);
    expect(selfDealing.value.evidence?.['reviewId']).toBe('rev-sock');
    expect(selfDealing.value.severity).toBe('high');
    const [profile] = await probe.waitFor(1, (m) => m.value.subject.tenantId === t && m.value.ruleId === 'review-padding-profile');
    expect(profile.value.evidence?.['reviewId']).toBe('rev-fresh');
    expect(profile.value.evidence?.['reviewerProfile']).toMatchObject({ sellersBoughtFrom: 1, ordersAtSeller: 1, accountAgeDays: 1 });
  });

  it('fires reviewer-for-hire for an account reviewing many unrelated sellers in a day', async () => {
    const t = tenants.hire;
    await sender.send(
      Array.from({ length: 7 }, (_, i) => reviewPosted(t, T0 + 5 * DAY + i * 40 * MINUTE, { authorId: 'gig-1', sellerId: `vendor-${i}`, rating: 5, text: 'Great' })),
    );
    const [signal] = await probe.waitFor(1, (m) => m.value.subject.tenantId === t && m.value.ruleId === 'reviewer-for-hire');
    expect(signal.value.subject.id).toBe('gig-1');
    expect(signal.value.measurements[0]).toMatchObject({ threshold: 6, window: '24h' });
    expect(signal.value.measurements[0].value).toBeGreaterThanOrEqual(6);
  });

  it('fires review-lockstep for accounts reviewing the same products in the same window', async () => {
    const t = tenants.lockstep;
    const events: RawEvent[] = [];
    ['ring-a', 'ring-b', 'ring-c'].forEach((author, a) =>
      ['prod-x', 'prod-y', 'prod-z'].forEach((product, p) =>
        events.push(reviewPosted(t, T0 + 6 * DAY + (p * 3 + a) * 20 * MINUTE, { authorId: author, sellerId: `seller-${p}`, productId: product, rating: 5, text: 'Nice' })),
      ),
    );
    await sender.send(events);
    const [signal] = await probe.waitFor(1, (m) => m.value.subject.tenantId === t && m.value.ruleId === 'review-lockstep');
    // Reviews are keyed by seller, so which ring member completes the group depends on partition order.
    const ring = ['ring-a', 'ring-b', 'ring-c'];
    expect(ring).toContain(signal.value.subject.id);
    expect(signal.value.evidence?.['groupMembers']).toEqual(
      ring.filter((a) => a !== signal.value.subject.id).map((account) => ({ account, sharedItems: 3 })),
    );
  });

  it('fires review-text-campaign for paraphrased complaints from new accounts against one seller', async () => {
    const t = tenants.text;
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
    await sender.send(events.filter((e) => e.type === 'account.created'));
    await waitFor('accounts consumed', () => consumedAll(testStack().brokers, consumerGroupId(config, config.REVIEW_CONSUMER_GROUP), [topicNames(config.VIGIL_TOPIC_PREFIX).events.accounts]));
    await sender.send(events.filter((e) => e.type === 'review.posted'));
    const signals = await probe.waitFor(1, (m) => m.value.subject.tenantId === t && m.value.ruleId === 'review-text-campaign');
    const first = signals[0].value;
    expect(first.subject).toEqual({ type: 'seller', id: 'target-shop', tenantId: t });
    expect(first.measurements.find((m) => m.name === 'new_accounts')?.value).toBeGreaterThanOrEqual(2);
    const matching = (first.evidence?.['matchingReviews'] as { reviewId: string }[]).map((m) => m.reviewId);
    expect(matching.length).toBeGreaterThanOrEqual(1);
    expect(matching.every((id) => id.startsWith('fud-rev-'))).toBe(true);
  });

  it('fires review-rating-shift when a product drops from 4-5 stars to 1-2 stars', async () => {
    const t = tenants.shift;
    const events: RawEvent[] = [];
    for (let i = 0; i < 25; i++) events.push(reviewPosted(t, T0 + (i + 1) * DAY, { authorId: `fan-${i}`, sellerId: 'shift-shop', productId: 'shift-prod', rating: 4 + (i % 2), text: 'fine' }));
    for (let i = 0; i < 12; i++) events.push(reviewPosted(t, T0 + 31 * DAY + i * 12 * HOUR, { authorId: `sad-${i}`, sellerId: 'shift-shop', productId: 'shift-prod', rating: 1 + (i % 2), text: 'broken' }));
    await sender.send(events);
    const [signal] = await probe.waitFor(1, (m) => m.value.subject.tenantId === t && m.value.ruleId === 'review-rating-shift' && m.value.subject.type === 'product');
    expect(signal.value.measurements[0].value).toBeLessThanOrEqual(-1.5);
    expect(signalsOf(t, 'review-burst')).toEqual([]);
  });

  it('stays silent on six weeks of ordinary review traffic with many short, similar reviews', async () => {
    const t = tenants.honest;
    const events = honestTraffic(t);
    const nonReviews = events.filter((e) => e.type !== 'review.posted');
    await sender.send(nonReviews);
    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    await waitFor('accounts and orders consumed', () => consumedAll(testStack().brokers, consumerGroupId(config, config.REVIEW_CONSUMER_GROUP), [topics.events.accounts, topics.events.orders]));
    await sender.send(events.filter((e) => e.type === 'review.posted'));
    await waitFor('honest reviews consumed', () => consumedAll(testStack().brokers, consumerGroupId(config, config.REVIEW_CONSUMER_GROUP), [topics.events.reviews]), 30_000);
    // Signals are published before offsets are committed: wait until the probe has read them all.
    const published = await topicSize(testStack().brokers, topics.signals);
    await probe.waitFor(published);
    expect(events.filter((e) => e.type === 'review.posted').length).toBeGreaterThan(400);
    expect(signalsOf(t).map((s) => `${s.ruleId}: ${s.reason}`)).toEqual([]);
  });

  it('dead-letters an invalid review event with the failing field', async () => {
    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    const deadLetters = await TopicProbe.start<{ reason: string }>(testStack().brokers, [topics.deadLetter]);
    try {
      const bad = reviewPosted(tenants.honest, T0, { authorId: 'x', sellerId: 'y', rating: 9, text: 'too many stars' });
      await sender.sendRaw(topics.events.reviews, JSON.stringify(bad));
      const [dead] = await deadLetters.waitFor(1, (m) => JSON.stringify(m.value).includes('rating'));
      expect(JSON.stringify(dead.value)).toMatch(/data\.rating/);
    } finally {
      await deadLetters.stop();
    }
  });

  it('puts a TTL on every Redis key it wrote', async () => {
    const redis = new IORedis(testStack().redisUrl);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${config.REDIS_KEY_PREFIX}:*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      expect(keys.length).toBeGreaterThan(100);
      const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
      expect(keys.filter((_, i) => ttls[i] < 0)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
