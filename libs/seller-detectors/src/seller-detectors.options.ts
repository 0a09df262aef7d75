import { parseDuration } from '@vigil/counters';

/** Every threshold of the seller-side and fund-flow detectors (documented in README.md). */
export interface SellerDetectorsOptions {
  listingSpike: { window: string; minCount: number; baselineMultiplier: number };
  dumping: {
    /** A price below fraction x median of the product (or category) is "far below market". */
    fraction: number;
    /** Prices needed in a product's/category's sketch before it is trusted. */
    minSamples: number;
    /** Recent prices kept per product/category and currency (bounds memory). */
    sampleSize: number;
    window: string;
    minDumped: number;
    minShare: number;
    ttl: string;
  };
  contactRing: { minSellers: number; maxSellersPerLink: number; ttl: string };
  takeover: { chainWindow: string };
  salesSpike: { window: string; minOrders: number; minAmount: number; baselineMultiplier: number };
  exitScam: { minOverdue: number; minShipLag: string; shipLagFactor: number; payoutWindow: string; maxOpenOrders: number };
  taint: { ttl: string };
  seller: { knownDevicesLimit: number; knownIpsLimit: number; linksLimit: number; banTtl: string; stateTtl: string };
  /** The platform's own link hosts: never contact bait. */
  allowedHosts: string[];
  /** Redelivered event ids are recognised for this long. */
  dedupeTtl: string;
}

export const DEFAULT_SELLER_DETECTORS_OPTIONS: SellerDetectorsOptions = {
  listingSpike: { window: '1h', minCount: 20, baselineMultiplier: 5 },
  dumping: { fraction: 0.4, minSamples: 5, sampleSize: 64, window: '1h', minDumped: 5, minShare: 0.6, ttl: '30d' },
  contactRing: { minSellers: 3, maxSellersPerLink: 50, ttl: '90d' },
  takeover: { chainWindow: '24h' },
  salesSpike: { window: '30m', minOrders: 20, minAmount: 10_000, baselineMultiplier: 5 },
  exitScam: { minOverdue: 5, minShipLag: '48h', shipLagFactor: 2, payoutWindow: '14d', maxOpenOrders: 2000 },
  taint: { ttl: '30d' },
  seller: { knownDevicesLimit: 50, knownIpsLimit: 200, linksLimit: 100, banTtl: '365d', stateTtl: '30d' },
  allowedHosts: [],
  dedupeTtl: '2d',
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

export function resolveOptions(overrides: DeepPartial<SellerDetectorsOptions> = {}): SellerDetectorsOptions {
  const merged = { ...DEFAULT_SELLER_DETECTORS_OPTIONS } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    merged[key] = value && typeof value === 'object' && !Array.isArray(value) ? { ...(base as object), ...value } : value;
  }
  const options = merged as unknown as SellerDetectorsOptions;
  // Fail at start-up, not at the first event, on a malformed duration.
  for (const d of [options.listingSpike.window, options.dumping.window, options.salesSpike.window, options.takeover.chainWindow]) {
    parseDuration(d);
  }
  return options;
}
