/*
 * review-analysis throughput against the real test stack.
 *
 *   export VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/review-analysis.bench.ts
 *
 * Pre-produces accounts, orders and reviews (ordinary traffic plus a few campaigns), then starts
 * the service and measures how fast it consumes them: reviews per second from the first batch
 * handed to the service to the last one finished (Redis script + detectors + signal publishing),
 * and the Redis round trips per batch. Writes test/bench/reports/review-analysis.md.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { topicNames } from '@vigil/contracts';
import { consumerGroupId, provisionTopics } from '@vigil/service-runtime';
import { redisRoundTrips } from '@vigil/redis';
import { startTestApp, testConfig, testStack, uniqueId, waitFor } from '@vigil/testing';
import { ReviewAnalysisService } from '../../services/review-analysis/src/analysis/review-analysis.service';
import { ReviewStateStore } from '../../services/review-analysis/src/analysis/review-state.store';
import { AppModule } from '../../services/review-analysis/src/app.module';
import { ReviewAnalysisConfig } from '../../services/review-analysis/src/config';
import {
  accountCreated,
  consumedAll,
  DAY,
  EventSender,
  honestReviewText,
  MINUTE,
  orderPlaced,
  prng,
  RawEvent,
  reviewPosted,
  topicSize,
} from '../../services/review-analysis/test-support/review-events';

const REVIEWS = Number(process.env['BENCH_REVIEWS'] ?? 10_000);
const BUYERS = 3_000;
const SELLERS = 200;
const T0 = Date.parse('2026-10-01T00:00:00Z');

function traffic(tenant: string): { setup: RawEvent[]; reviews: RawEvent[] } {
  const random = prng(11);
  const setup: RawEvent[] = [];
  for (let s = 0; s < SELLERS; s++) setup.push(accountCreated(tenant, `seller-${s}`, T0 - 500 * DAY, { seller: true }));
  for (let b = 0; b < BUYERS; b++) {
    setup.push(accountCreated(tenant, `buyer-${b}`, T0 - (30 + (b % 300)) * DAY));
    setup.push(orderPlaced(tenant, `buyer-${b}`, `seller-${b % SELLERS}`, T0 - DAY), orderPlaced(tenant, `buyer-${b}`, `seller-${(b * 7) % SELLERS}`, T0 - DAY));
  }
  const reviews: RawEvent[] = [];
  const spanMs = 14 * DAY;
  for (let i = 0; i < REVIEWS; i++) {
    const seller = Math.floor(random() * SELLERS);
    const { text, rating } = honestReviewText(random);
    reviews.push(
      reviewPosted(tenant, T0 + Math.floor((i / REVIEWS) * spanMs), {
        authorId: `buyer-${Math.floor(random() * BUYERS)}`,
        sellerId: `seller-${seller}`,
        productId: `product-${seller}-${Math.floor(random() * 10)}`,
        rating,
        text,
      }),
    );
    if (i % 1000 === 500) {
      // a small campaign now and then: 5 accounts, near-duplicate complaints within minutes
      for (let k = 0; k < 5; k++) {
        reviews.push(
          reviewPosted(tenant, T0 + Math.floor((i / REVIEWS) * spanMs) + k * MINUTE, {
            authorId: `buyer-${(i + k * 97) % BUYERS}`,
            sellerId: `seller-${seller}`,
            rating: 1,
            text: `Seller ${seller} is a scam, paid for the item ${k % 2 ? 'and' : 'but'} it never arrived, support ignores every message, avoid!`,
          }),
        );
      }
    }
  }
  return { setup, reviews };
}

async function main(): Promise<void> {
  const config = testConfig(ReviewAnalysisConfig, { REVIEW_CONSUMER_GROUP: uniqueId('review-bench'), LOG_LEVEL: 'warn' });
  const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
  const { brokers } = testStack();
  await provisionTopics(config);
  const sender = await EventSender.connect(brokers, config.VIGIL_TOPIC_PREFIX);
  const tenant = uniqueId('bench');
  const { setup, reviews } = traffic(tenant);
  for (let i = 0; i < setup.length; i += 2000) await sender.send(setup.slice(i, i + 2000));
  for (let i = 0; i < reviews.length; i += 2000) await sender.send(reviews.slice(i, i + 2000));
  await sender.close();
  console.log(`produced ${setup.length} account/order events and ${reviews.length} reviews`);

  const app = await startTestApp(AppModule.register(config), config);
  const service = app.get(ReviewAnalysisService);
  const original = service.handleBatch.bind(service);
  const store = app.get(ReviewStateStore);
  const applyOriginal = store.apply.bind(store);
  let redisMs = 0;
  store.apply = async (items) => {
    const started = performance.now();
    try {
      return await applyOriginal(items);
    } finally {
      redisMs += performance.now() - started;
    }
  };
  let first = 0;
  let last = 0;
  let batches = 0;
  let reviewMessages = 0;
  service.handleBatch = async (messages) => {
    if (!first) first = performance.now();
    await original(messages);
    batches++;
    reviewMessages += messages.filter((m) => m.value.type === 'review.posted').length;
    last = performance.now();
  };
  const roundTripsBefore = (await redisRoundTrips.get()).values.find((v) => v.labels['operation'] === 'vigilReviewAnalysisApply')?.value ?? 0;
  await waitFor(
    'all events consumed',
    () => consumedAll(brokers, consumerGroupId(config, config.REVIEW_CONSUMER_GROUP), [topics.events.reviews, topics.events.accounts, topics.events.orders]),
    120_000,
    200,
  );
  const roundTrips = ((await redisRoundTrips.get()).values.find((v) => v.labels['operation'] === 'vigilReviewAnalysisApply')?.value ?? 0) - roundTripsBefore;
  const signals = await topicSize(brokers, topics.signals);
  await app.close();

  const seconds = (last - first) / 1000;
  const perSecond = Math.round(reviewMessages / seconds);
  const eventsPerSecond = Math.round((setup.length + reviewMessages) / seconds);
  const lines = [
    '# review-analysis benchmark',
    '',
    `Run: ${new Date().toISOString()} on the shared test stack (Kafka 4.1.1, Redis 7, 2 cores shared with other engineers;`,
    `load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')}: figures vary severalfold with the load).`,
    '',
    'Command:',
    '',
    '```',
    'export VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0',
    'SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/review-analysis.bench.ts',
    '```',
    '',
    `Workload: ${setup.length} account/order events (${BUYERS} buyers, ${SELLERS} sellers), then ${reviews.length} reviews over 14 days of event time`,
    '(60% short generic praise, 40% individual texts, a 5-account near-duplicate campaign every 1,000 reviews),',
    'pre-produced to 6-partition topics; one service instance consumes them.',
    '',
    '| measure | value |',
    '|---|---|',
    `| reviews processed | ${reviewMessages} |`,
    `| processing time, first batch to last | ${seconds.toFixed(2)} s |`,
    `| **reviews per second** | **${perSecond}** |`,
    `| all events per second (accounts, orders, reviews) | ${eventsPerSecond} |`,
    `| batches | ${batches} |`,
    `| time in the Redis script (share of processing) | ${(redisMs / 1000).toFixed(2)} s (${Math.round((redisMs / (last - first)) * 100)}%) |`,
    `| Redis round trips (review-state script) | ${roundTrips} (${(roundTrips / Math.max(1, batches)).toFixed(2)} per batch) |`,
    `| signals published | ${signals} |`,
    '',
  ];
  const report = lines.join('\n');
  console.log(report);
  writeFileSync(join(__dirname, 'reports', 'review-analysis.md'), report);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
