import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import {
  defineScripts,
  execBatch,
  queueScript,
  REDIS_CLIENT,
  RedisClient,
  RedisKeys,
  redisRoundTrips,
} from '@vigil/redis';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { ReviewAnalysisConfig } from '../config';
import { REVIEW_STATE_LUA, REVIEW_STATE_SCRIPT } from './review-state.lua';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What one event changes in the review-analysis state (built from account, order and review events). */
export type StateItem =
  | {
      kind: 'account';
      id: string;
      tenant: string;
      t: number;
      account: string;
      createdMs?: number;
      links: string[];
    }
  | { kind: 'order'; id: string; tenant: string; t: number; buyer: string; seller: string; links: string[] }
  | {
      kind: 'review';
      id: string;
      tenant: string;
      t: number;
      review: string;
      author: string;
      seller: string;
      product?: string;
      rating: number;
      links: string[];
      sig?: string;
      bands?: string[];
    };

/** Rating counts, index 0 = 1 star ... index 4 = 5 stars. */
export type RatingHistogram = [number, number, number, number, number];

export interface TargetRatings {
  /** The burst window (the event's hour and the ones before it). */
  window: RatingHistogram;
  /** The baseline days before the event's day. */
  baseline: RatingHistogram;
  /** The recent days of the rating-shift comparison, the event's day included. */
  recent: RatingHistogram;
  /** The history days before the recent ones. */
  history: RatingHistogram;
}

/** The facts the Lua script returns for one review (see review-state.lua.ts). */
export interface ReviewFacts {
  authorCreatedMs: number;
  sharedLinks: string[];
  sellersBoughtFrom: number;
  ordersAtSeller: number;
  seller: TargetRatings;
  product?: TargetRatings;
  sellersReviewed: number;
  sellersReviewedSample: string[];
  itemsReviewed: string[];
  /** [author, shared items] */
  lockstepPeers: [string, number][];
  /** ["reviewId|authorId|timeMs", signature, author created ms or -1] */
  textCandidates: [string, string, number][];
}

// cjson encodes an empty Lua table as {}: read every list defensively.
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

function readFacts(json: string): ReviewFacts {
  const raw = JSON.parse(json) as Record<string, unknown>;
  return {
    authorCreatedMs: Number(raw['authorCreatedMs'] ?? -1),
    sharedLinks: list<string>(raw['sharedLinks']),
    sellersBoughtFrom: Number(raw['sellersBoughtFrom'] ?? 0),
    ordersAtSeller: Number(raw['ordersAtSeller'] ?? 0),
    seller: raw['seller'] as TargetRatings,
    product: raw['product'] as TargetRatings | undefined,
    sellersReviewed: Number(raw['sellersReviewed'] ?? 0),
    sellersReviewedSample: list<string>(raw['sellersReviewedSample']),
    itemsReviewed: list<string>(raw['itemsReviewed']),
    lockstepPeers: list<[string, number]>(raw['lockstepPeers']),
    textCandidates: list<[string, string, number]>(raw['textCandidates']),
  };
}

/** The service's Redis state: one script call per batch. */
@Injectable()
export class ReviewStateStore implements OnModuleInit {
  private readonly params: string;
  private readonly hireWindowMs: number;
  private readonly textWindowMs: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(SERVICE_CONFIG) config: ReviewAnalysisConfig,
  ) {
    this.hireWindowMs = config.REVIEW_HIRE_WINDOW_HOURS * HOUR_MS;
    this.textWindowMs = config.REVIEW_TEXT_WINDOW_HOURS * HOUR_MS;
    this.params = JSON.stringify({
      burstHours: config.REVIEW_BURST_WINDOW_HOURS,
      baselineDays: config.REVIEW_BURST_BASELINE_DAYS,
      recentDays: config.REVIEW_SHIFT_RECENT_DAYS,
      historyDays: config.REVIEW_SHIFT_HISTORY_DAYS,
      dayTtlMs:
        (Math.max(
          config.REVIEW_BURST_BASELINE_DAYS,
          config.REVIEW_SHIFT_RECENT_DAYS + config.REVIEW_SHIFT_HISTORY_DAYS,
        ) +
          1) *
        DAY_MS,
      linkTtlMs: config.REVIEW_LINK_TTL_DAYS * DAY_MS,
      maxLinks: config.REVIEW_MAX_LINKS_PER_ACCOUNT,
      hireWindowMs: this.hireWindowMs,
      lockstepMinShared: config.REVIEW_LOCKSTEP_MIN_SHARED,
      // bounded lockstep work per review: the item's newest 50 other reviewers are the candidates
      coReviewers: 50,
      // bounded pair counts: at most 100,000 account pairs per tenant and lockstep window (~8 MB)
      maxPairs: 100_000,
      textWindowMs: this.textWindowMs,
      maxTextsPerWindow: 5000,
      // bounded candidate search per review (see the script): <= 2 x 20 bands x 25 members read
      candidatesPerBand: 25,
      maxCandidates: 100,
      dedupeTtlMs: config.REVIEW_DEDUPE_TTL_DAYS * DAY_MS,
    });
  }

  onModuleInit(): void {
    // no numberOfKeys: each call declares every key it touches (one tenant's keys, one slot)
    defineScripts(this.redis, [{ name: REVIEW_STATE_SCRIPT, lua: REVIEW_STATE_LUA }]);
  }

  /** Applies a batch; returns, per item, the review facts (null for account and order events). */
  async apply(items: StateItem[]): Promise<(ReviewFacts | null)[]> {
    if (items.length === 0) return [];
    const byTenant = new Map<string, number[]>();
    items.forEach((item, i) => {
      const list = byTenant.get(item.tenant) ?? [];
      list.push(i);
      byTenant.set(item.tenant, list);
    });
    const groups = [...byTenant];
    redisRoundTrips.inc({ operation: REVIEW_STATE_SCRIPT });
    const replies = await execBatch<string[]>(
      this.redis,
      groups.map(([tenant, indexes]) => {
        const { keys, items: declared } = this.declareKeys(
          tenant,
          indexes.map((i) => items[i]),
        );
        return {
          key: keys[0],
          queue: (p) =>
            queueScript(p, REVIEW_STATE_SCRIPT, [keys.length, ...keys, this.params, JSON.stringify(declared)]),
        };
      }),
    );
    const results: (ReviewFacts | null)[] = new Array(items.length);
    groups.forEach(([, indexes], g) =>
      indexes.forEach((i, j) => (results[i] = items[i].kind === 'review' ? readFacts(replies[g][j]) : null)),
    );
    return results;
  }

  /**
   * Every key the script touches for one tenant's items, each once (KEYS), and the items with
   * `k`, their keys as 1-based indexes into KEYS (the script reads nothing else).
   */
  declareKeys(tenant: string, items: StateItem[]): { keys: string[]; items: (StateItem & { k: Record<string, unknown> })[] } {
    const base = this.stateBase(tenant);
    const keys: string[] = [];
    const index = new Map<string, number>();
    const k = (...parts: (string | number)[]): number => {
      const name = [base, ...parts].join(':');
      let i = index.get(name);
      if (i === undefined) {
        keys.push(name);
        i = keys.length;
        index.set(name, i);
      }
      return i;
    };
    const declared = items.map((item) => {
      const seen = k('event', item.id, 'seen');
      switch (item.kind) {
        case 'account':
          return { ...item, k: { seen, created: k('account', item.account, 'created'), links: k('account', item.account, 'links') } };
        case 'order':
          return { ...item, k: { seen, links: k('account', item.buyer, 'links'), sellers: k('account', item.buyer, 'sellers') } };
        case 'review': {
          const lockstep = Math.floor(item.t / this.hireWindowMs);
          const text = Math.floor(item.t / this.textWindowMs);
          const keysOf: Record<string, unknown> = {
            seen,
            created: k('account', item.author, 'created'),
            links: k('account', item.author, 'links'),
            sellerLinks: k('account', item.seller, 'links'),
            sellers: k('account', item.author, 'sellers'),
            sellerRatings: k('seller', item.seller, 'ratings'),
            revSellers: k('account', item.author, 'rev-sellers'),
            revItems: k('account', item.author, 'rev-items'),
            reviewers: item.product ? k('product', item.product, 'reviewers') : k('seller', item.seller, 'reviewers'),
            // the lockstep pair counts of the previous and the event's window
            pairs: [k('pairs', lockstep - 1), k('pairs', lockstep)],
          };
          if (item.product) keysOf['productRatings'] = k('product', item.product, 'ratings');
          const bands = item.bands;
          if (item.sig && bands) {
            // the previous and the event's text window: signatures and one LSH bucket per band
            const windows = [text - 1, text];
            keysOf['sig'] = windows.map((w) => k('seller', item.seller, `sig:${w}`));
            keysOf['txz'] = windows.map((w) => bands.map((band) => k('seller', item.seller, `txz:${w}:${band}`)));
          }
          return { ...item, k: keysOf };
        }
      }
    });
    return { keys, items: declared };
  }

  /** The base of one tenant's review state: its hash tag puts the whole state in one Cluster slot. */
  stateBase(tenantId: string): string {
    return this.keys.entity(tenantId, 'review-analysis', 'state');
  }
}
