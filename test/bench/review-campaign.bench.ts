/*
 * Redis time of one review-analysis script call during a near-duplicate review campaign
 * against one seller (issue 14, "bounded costs under hostile input"): CAMPAIGN reviews of
 * near-identical text are applied in batches of 50, and the script's own time (Redis
 * commandstats, usec per call) is reported for the first and the last batches.
 *   VIGIL_TEST_REDIS_URL=redis://127.0.0.1:6379/0 SWC_NODE_PROJECT=tsconfig.base.json \
 *     node -r @swc-node/register test/bench/review-campaign.bench.ts
 * Prints one JSON line; run it on two trees to compare.
 */
import Redis from 'ioredis';
import { loadavg } from 'node:os';
import { DEFAULT_MINHASH_OPTIONS, textSignature } from '@vigil/text-similarity';
import { loadConfig } from '@vigil/config';
import { RedisKeys } from '@vigil/redis';
import { ReviewAnalysisConfig } from '../../services/review-analysis/src/config';
import { REVIEW_STATE_LUA } from '../../services/review-analysis/src/analysis/review-state.lua';
import { ReviewStateStore, StateItem } from '../../services/review-analysis/src/analysis/review-state.store';

const CAMPAIGN = Number(process.env['BENCH_REVIEWS'] ?? 3000);
const BATCH = 50;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const WORDS = 'great seller fast shipping item exactly as described would buy again highly recommended five stars'.split(' ');

async function main(): Promise<void> {
  const redis = new Redis(process.env['VIGIL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0');
  const prefix = `bench-campaign-${process.pid}`;
  const params = {
    maxLinks: 50, linkTtlMs: 86_400_000, dayTtlMs: 86_400_000 * 40, baselineDays: 28, recentDays: 3, historyDays: 14, burstHours: 3,
    hireWindowMs: 86_400_000, lockstepMinShared: 3, textWindowMs: 72 * 3_600_000, maxTextsPerWindow: 5000,
    candidatesPerBand: 25, maxCandidates: 100, dedupeTtlMs: 86_400_000, coReviewers: 50, maxPairs: 100_000,
  };
  // the service's own key declaration (KEYS of every item, see review-state.store.ts)
  const store = new ReviewStateStore(redis, new RedisKeys(prefix), loadConfig(ReviewAnalysisConfig, { KAFKA_BROKERS: 'unused:9092', REDIS_URL: 'redis://unused' }));
  const sha = String(await redis.script('LOAD', REVIEW_STATE_LUA));
  const usecPerCall: number[] = [];
  for (let start = 0; start < CAMPAIGN; start += BATCH) {
    const items: StateItem[] = Array.from({ length: Math.min(BATCH, CAMPAIGN - start) }, (_, j) => {
      const i = start + j;
      // near-duplicates: the same sentence with one word swapped per review
      const words = [...WORDS];
      words[i % words.length] = `w${i % 7}`;
      const sig = textSignature(words.join(' '), DEFAULT_MINHASH_OPTIONS)!;
      return { kind: 'review' as const, id: `e-${i}`, tenant: 't', t: T0 + i * 1000, review: `r-${i}`, author: `a-${i}`, seller: 's-1', rating: 5, links: [], sig: sig.signature, bands: sig.bandKeys };
    });
    await redis.config('RESETSTAT');
    const declared = store.declareKeys('t', items);
    await redis.evalsha(sha, declared.keys.length, ...declared.keys, JSON.stringify(params), JSON.stringify(declared.items));
    const stats = String(await redis.info('commandstats'));
    const line = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats);
    if (line) usecPerCall.push(Number(line[2]) / Number(line[1]));
  }
  // clean up this run's keys
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  const msPerReview = (usec: number) => +(usec / BATCH / 1000).toFixed(3);
  console.log(
    JSON.stringify({
      reviews: CAMPAIGN,
      load: loadavg().map((l) => l.toFixed(2)).join(' '),
      firstBatchMsPerReview: msPerReview(usecPerCall[0]),
      lastBatchMsPerReview: msPerReview(usecPerCall[usecPerCall.length - 1]),
      maxBatchMs: +(Math.max(...usecPerCall) / 1000).toFixed(1),
    }),
  );
  redis.disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
