import { exampleEvent } from '@vigil/contracts';
import { simulate, SimulatedEvent } from '@vigil/simulator';

/**
 * Realistic ordinary traffic from the simulator, reused across steps: each use rewrites the ids
 * (ingestion dedupes by id) and moves event time forward by the simulated span, so windows see
 * time advance instead of late events.
 */
export class TrafficSource {
  private readonly base: SimulatedEvent[];
  private readonly baseStartMs: number;
  /** Moves the simulated timeline so that it starts this long before now. */
  private readonly shiftMs: number;
  private readonly spanMs: number;
  private cursor = 0;
  private round = 0;

  constructor(readonly tenant: string, private readonly runId: string, minutes = 480) {
    this.base = simulate({ seed: 8, minutes, tenantId: tenant }).events;
    if (this.base.length === 0) throw new Error('the simulator produced no events');
    this.baseStartMs = Date.parse(this.base[0].occurredAt);
    this.spanMs = Date.parse(this.base[this.base.length - 1].occurredAt) - this.baseStartMs + 60_000;
    // Event time runs far faster than wall time here (a round of the base covers hours in
    // seconds), and ingestion refuses events dated after its clock (INGESTION_MAX_FUTURE_SKEW):
    // start in the past with room for ~100 rounds (several million events).
    this.shiftMs = Date.now() - 100 * this.spanMs - this.baseStartMs;
  }

  get size(): number {
    return this.base.length;
  }

  next(): Record<string, unknown> {
    if (this.cursor === this.base.length) {
      this.cursor = 0;
      this.round++;
    }
    const original = this.base[this.cursor++];
    const shiftedMs = Date.parse(original.occurredAt) + this.shiftMs + this.round * this.spanMs;
    return { ...original, id: `${original.id}-${this.runId}-r${this.round}`, occurredAt: new Date(shiftedMs).toISOString() };
  }

  /** Event time of the most recent ordinary event, so markers sit inside the same timeline. */
  currentEventTimeMs(): number {
    const original = this.base[Math.max(0, this.cursor - 1)];
    return Date.parse(original.occurredAt) + this.shiftMs + this.round * this.spanMs;
  }
}

/**
 * A marker: a wallet sending its whole balance to a destination it never used. velocity's
 * `wallet-drain-new-destination` (amount within [95 %, 100 %] of the balance, new destination)
 * fires on this single event - no earlier event of the subject is needed, whatever rule versions
 * change - and alerting turns the high signal into an alert. Every marker has its own wallet (the
 * alert subject) so alerts are never merged and no other counter is touched.
 */
export function markerEvent(tenantId: string, markerId: string, occurredAtMs: number): Record<string, unknown> {
  const example = exampleEvent('wallet.transfer');
  return {
    ...example,
    id: `mk-${markerId}`,
    tenantId,
    occurredAt: new Date(occurredAtMs).toISOString(),
    data: {
      ...example.data,
      transferId: `mk-tx-${markerId}`,
      fromWallet: markerSubject(markerId),
      toWallet: `mk-dest-${markerId}`,
      amount: 2.5,
      balanceBefore: 2.5,
      kind: 'external',
      accountId: undefined,
    },
  };
}

/** The alert subject (wallet) of a marker. */
export function markerSubject(markerId: string): string {
  return `mk-wal-${markerId}`;
}
