/*
 * Seller-detectors memory and throughput benchmark: feeds many products and sellers through
 * SellerDetectors.detect (the domain code velocity's pass calls, without Kafka) against the real
 * Redis, in two rounds of the same size, and reads MEMORY USAGE of sampled keys after each round.
 * Bounded state shows as per-product/per-seller figures that do not grow in round 2.
 * Writes test/bench/reports/seller-detectors.md.
 *   VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 \
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/seller-detectors.bench.ts
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE_PAYLOADS, validateEvent, VigilEvent } from '@vigil/contracts';
import { createRedisClient, RedisKeys } from '@vigil/redis';
import { resolveOptions, SellerDetectors } from '@vigil/seller-detectors';
import { testStack, uniqueId } from '@vigil/testing';

const PRODUCTS = Number(process.env['BENCH_PRODUCTS'] ?? 100);
const SELLERS = Number(process.env['BENCH_SELLERS'] ?? 500);
const LISTINGS_PER_ROUND = Number(process.env['BENCH_LISTINGS'] ?? 5_000);
const ORDERS_PER_ROUND = Number(process.env['BENCH_ORDERS'] ?? 1_000);
const BATCH = 500;
const SAMPLE = 50;
const TENANT = 'bench-market';
const T0 = Date.parse('2026-03-02T00:00:00Z');

async function main() {
  const redis = createRedisClient({ url: testStack().redisUrl, keyPrefix: '' });
  const keys = new RedisKeys(`vigil-bench:${uniqueId('sd')}`);
  const detectors = new SellerDetectors(redis, keys, resolveOptions());
  const run = uniqueId('b');

  let seq = 0;
  const make = (type: 'listing.created' | 'order.placed', atMs: number, data: Record<string, unknown>): VigilEvent => {
    const v = validateEvent({ id: `${run}-${++seq}`, type, version: 1, occurredAt: new Date(atMs).toISOString(), tenantId: TENANT, data: { ...structuredClone(EXAMPLE_PAYLOADS[type]), ...data } });
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return v.event;
  };
  // Event time advances 2 hours per round so windows and baselines roll as in production.
  const tracked = new Set(Array.from({ length: SAMPLE }, (_v, i) => `s${Math.floor((i * SELLERS) / SAMPLE)}`));
  const track = (event: VigilEvent, seller: string) => {
    if (tracked.has(seller)) sellerEventIds.set(seller, [...(sellerEventIds.get(seller) ?? []), event.id]);
    return event;
  };
  const round = (r: number): VigilEvent[] => {
    const events: VigilEvent[] = [];
    const span = 2 * 3600_000;
    for (let i = 0; i < LISTINGS_PER_ROUND; i++) {
      const seller = `s${i % SELLERS}`;
      const product = `p${(i * 7919) % PRODUCTS}`;
      const at = T0 + r * span + Math.floor((i / LISTINGS_PER_ROUND) * span);
      const cheap = i % 50 === 0; // 2 % dumping prices, 1 % contact bait
      events.push(track(make('listing.created', at, {
        listingId: `${run}-l${i}-${r}`, sellerId: seller, productId: product, category: `cat${(i * 31) % 50}`,
        title: `Item ${product}`, description: i % 100 === 0 ? `contact me before buying: seller${i % SELLERS} at gmail dot com` : 'Ships in 2 days. Contact us through the platform.',
        price: { amount: cheap ? 20 : 400 + (i % 200), currency: 'EUR' }, quantity: 1,
      }), seller));
      if (i < ORDERS_PER_ROUND) {
        events.push(track(make('order.placed', at, {
          orderId: `${run}-o${i}-${r}`, sellerId: seller, buyerId: `buyer${i % 5000}`,
          items: [{ listingId: 'l', quantity: 1, unitPrice: { amount: 450, currency: 'EUR' } }], amount: { amount: 450, currency: 'EUR' },
        }), seller));
      }
    }
    return events;
  };

  // The Redis is shared with other engineers' benchmarks: a BUSY reply (someone's long script) is
  // retried like the consumer runner retries transient errors; busyRetries is reported.
  let busyRetries = 0;
  async function detectWithRetry(batch: VigilEvent[]) {
    for (;;) {
      try {
        return await detectors.detect(batch);
      } catch (error) {
        if (!String((error as Error).message).startsWith('BUSY') || busyRetries > 100) throw error;
        busyRetries++;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async function feed(events: VigilEvent[]): Promise<{ seconds: number; signals: number }> {
    const started = process.hrtime.bigint();
    let signals = 0;
    for (let i = 0; i < events.length; i += BATCH) signals += (await detectWithRetry(events.slice(i, i + BATCH))).length;
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, signals };
  }

  /**
   * Sum of MEMORY USAGE over every key an entity can have (names known from this lib and
   * @vigil/counters; SCAN over a shared Redis with a million keys would take minutes), per entity.
   */
  async function bytesPerEntity(entityKeys: string[][]): Promise<{ avg: number; max: number; keys: number }> {
    let total = 0;
    let max = 0;
    let keyCount = 0;
    for (const candidates of entityKeys) {
      const pipeline = redis.pipeline();
      for (const k of candidates) pipeline.memory('USAGE', k).pttl(k);
      const replies = (await pipeline.exec()) ?? [];
      let bytes = 0;
      for (let i = 0; i < candidates.length; i++) {
        const usage = replies[2 * i][1] as number | null;
        if (usage === null) continue;
        if ((replies[2 * i + 1][1] as number) < 0) throw new Error(`key without TTL: ${candidates[i]}`);
        bytes += usage;
        keyCount++;
      }
      total += bytes;
      max = Math.max(max, bytes);
    }
    return { avg: Math.round(total / entityKeys.length), max, keys: Math.round((keyCount / entityKeys.length) * 10) / 10 };
  }
  const sellerEventIds = new Map<string, string[]>();
  const productKeys = (p: string) => [`${keys.entity(TENANT, 'product', p, 'EUR')}:px`];
  const sellerKeys = (s: string) => {
    const base = keys.entity(TENANT, 'seller', s);
    const own = ['links', 'known:device', 'known:ip', 'open', 'ship', 'shipped', 'banned'].map((x) => `${base}:sd:${x}`);
    const counters = ['listing.count', 'listing.compared', 'listing.dumped'].map((c) => `${base}:cnt:${c}:3600000`)
      .concat(['order.count', 'order.amount'].map((c) => `${base}:cnt:${c}:1800000`))
      .concat(['listing.count', 'order.count', 'order.amount'].map((c) => `${base}:bl:${c}`), [`${base}:facts`, `${base}:list`]);
    return [...own, ...counters];
  };
  const sellerDedupeKeys = (s: string) => (sellerEventIds.get(s) ?? []).map((id) => `${keys.entity(TENANT, 'seller', s)}:dd:${id}`);
  const sample = (prefix: string, n: number) => Array.from({ length: SAMPLE }, (_v, i) => `${prefix}${Math.floor((i * n) / SAMPLE)}`);
  const products = sample('p', PRODUCTS);
  const sellers = sample('s', SELLERS);
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

  const rows: string[] = [];
  const memBefore = await usedMemory();
  for (const r of [0, 1, 2]) {
    const events = round(r);
    const { seconds, signals } = await feed(events);
    const product = await bytesPerEntity(products.map(productKeys));
    const seller = await bytesPerEntity(sellers.map(sellerKeys));
    const dedupe = await bytesPerEntity(sellers.map(sellerDedupeKeys));
    const mem = await usedMemory();
    const line = `| ${r + 1} | ${events.length} | ${seconds.toFixed(1)} | ${Math.round(events.length / seconds)} | ${signals} | ${product.avg} (max ${product.max}, ${product.keys} keys) | ${seller.avg} (max ${seller.max}, ${seller.keys} keys) | ${dedupe.avg} (${dedupe.keys} keys) | ${((mem - memBefore) / 1024 / 1024).toFixed(1)} |`;
    console.log(line);
    rows.push(line);
  }
  await redis.quit();

  const report = `# Seller-detectors benchmark

${PRODUCTS} products, ${SELLERS} sellers; per round ${LISTINGS_PER_ROUND} listings (2 % at dumping prices, 1 % with
contact bait) and ${ORDERS_PER_ROUND} orders, in batches of ${BATCH} through \`SellerDetectors.detect\`
(the consumer's handler, without Kafka) against the real Redis. Rounds 2 and 3 repeat round 1's volume, each two hours of
event time later, on the same products and sellers. Memory is \`MEMORY USAGE\` summed over every key of ${SAMPLE} sampled
products (price sketch, \`{tenant:product:id:EUR}\`) and sellers (\`{tenant:seller:id}\`: @vigil/counters windows,
baselines, facts and per-event dedupe keys, plus this lib's links/known devices/open orders); every key sampled is checked
to carry a TTL. The seller state is bounded (windows, baselines, facts, capped sets); its small growth per round is
the open-orders set (the bench never ships; capped at exitScam.maxOpenOrders = 2000, ~20 B each). The price sample is
capped at 64 entries: bytes per product stop growing once it is full (round 2 on). The
@vigil/counters dedupe keys are one small key per event and expire with the counters' TTL
(largest window + lateness: 14 d + 1 h with the exit-scam payout window), so they grow with the
event rate, not without bound. Last column: Redis \`used_memory\` growth since the start (all suites share this Redis, so it is indicative).

| round | events | seconds | events/s | signals | bytes per product | bytes per seller (state) | bytes per seller (event-id dedupe keys) | used_memory delta (MB) |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Run: \`VIGIL_TEST_KAFKA_BROKERS=127.0.0.1:19092 VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/seller-detectors.bench.ts\`
(${new Date().toISOString()}, 2 shared cores; batches retried after a BUSY reply from another suite's script: ${busyRetries}).
`;
  writeFileSync(path.join(__dirname, 'reports', 'seller-detectors.md'), report);
  console.log(report);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
