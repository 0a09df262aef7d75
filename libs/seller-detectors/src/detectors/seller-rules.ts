/*
 * Pure threshold logic of the seller detectors: given the measured values, does the detector
 * fire? Kept apart from Redis and Kafka so each decision is unit-tested on its own.
 */

/** Spike against the entity's own baseline: at least `minCount`, and `multiplier` x the usual (at least 1). */
export function isSpike(current: number, baselineMean: number, minCount: number, multiplier: number): { fires: boolean; threshold: number } {
  const threshold = Math.max(minCount, multiplier * Math.max(baselineMean, 1));
  return { fires: current >= threshold, threshold };
}

/** Dumping burst: enough listings far below market, and they are most of what was compared. */
export function isDumpingBurst(dumped: number, compared: number, minDumped: number, minShare: number): { fires: boolean; share: number } {
  const share = compared > 0 ? dumped / compared : 0;
  return { fires: dumped >= minDumped && share >= minShare, share };
}

/** Taint severity by distance from the flagged wallet (0 hops: the flagged wallet itself). */
export function taintSeverity(hops: number): 'critical' | 'high' | 'medium' {
  return hops <= 0 ? 'critical' : hops === 1 ? 'high' : 'medium';
}

export interface ChainLink {
  kind: 'credentials_changed' | 'payout_changed' | 'new_device_login' | 'new_ip_login';
  eventId: string;
  type: 'account.credentials_changed' | 'account.payout_changed' | 'account.login';
  occurredAt: string;
  detail: string;
}

/** The account changes that happened within `windowMs` before (or at) the spike. */
export function chainWithin(links: ChainLink[], spikeAtMs: number, windowMs: number): ChainLink[] {
  return links
    .filter((l) => {
      const t = Date.parse(l.occurredAt);
      return t <= spikeAtMs && spikeAtMs - t <= windowMs;
    })
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
}
