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
  private readonly spanMs: number;
  private cursor = 0;
  private round = 0;

  constructor(readonly tenant: string, private readonly runId: string, minutes = 480) {
    this.base = simulate({ seed: 8, minutes, tenantId: tenant }).events;
    if (this.base.length === 0) throw new Error('the simulator produced no events');
    this.baseStartMs = Date.parse(this.base[0].occurredAt);
    this.spanMs = Date.parse(this.base[this.base.length - 1].occurredAt) - this.baseStartMs + 60_000;
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
    const shiftedMs = Date.parse(original.occurredAt) + this.round * this.spanMs;
    return { ...original, id: `${original.id}-${this.runId}-r${this.round}`, occurredAt: new Date(shiftedMs).toISOString() };
  }

  /** Event time of the most recent ordinary event, so markers sit inside the same timeline. */
  currentEventTimeMs(): number {
    const original = this.base[Math.max(0, this.cursor - 1)];
    return Date.parse(original.occurredAt) + this.round * this.spanMs;
  }
}

/**
 * A marker: a first order of 5000 EUR from a brand-new buyer. velocity's `high-value-new-account`
 * (order.amount >= 1000 and account.order.count@7d <= 1) fires on this single event, and alerting
 * turns the high signal into an alert. Every marker has its own buyer (the alert subject), device,
 * IP and card so alerts are never merged and no other counter is touched.
 */
export function markerEvent(tenantId: string, markerId: string, occurredAtMs: number): Record<string, unknown> {
  const example = exampleEvent('order.placed');
  return {
    ...example,
    id: `mk-${markerId}`,
    tenantId,
    occurredAt: new Date(occurredAtMs).toISOString(),
    data: {
      ...example.data,
      orderId: `mk-ord-${markerId}`,
      buyerId: markerBuyer(markerId),
      deviceId: `mk-dev-${markerId}`,
      ip: '198.51.100.23',
      paymentInstrument: { fingerprint: `mk-card-${markerId}`, type: 'card', country: 'DE' },
      promoCode: undefined,
      amount: { amount: 5000, currency: 'EUR' },
      items: [{ listingId: 'lst-1', productId: '4006381333931', quantity: 1, unitPrice: { amount: 5000, currency: 'EUR' } }],
    },
  };
}

export function markerBuyer(markerId: string): string {
  return `mk-acc-${markerId}`;
}
