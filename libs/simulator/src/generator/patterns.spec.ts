import { EventPayload, EventType } from '@vigil/contracts';
import { simulate } from './simulate';
import { SimulatedEvent } from './timeline';

/** What each injected pattern must look like in the events: the shape the detectors look for. */
describe('injected patterns', () => {
  const run = simulate({ seed: 42, minutes: 60, inject: ['all'] });
  const fraudIds = (pattern: string, entityType?: string) =>
    new Set(run.labels.filter((l) => l.pattern === pattern && l.label === 'fraud' && (!entityType || l.entityType === entityType)).map((l) => l.entityId));
  const ofType = <T extends EventType>(type: T) =>
    run.events.filter((e): e is SimulatedEvent & { data: EventPayload<T> } => e.type === type) as (SimulatedEvent & { data: EventPayload<T> })[];
  const minutes = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;

  it('hijacked-seller: credential change from a new device, then dumping listings with contact bait in EN/DE/FR/PL', () => {
    const [seller] = fraudIds('hijacked-seller', 'seller');
    expect(ofType('account.credentials_changed').some((e) => e.data.accountId === seller)).toBe(true);
    const listings = ofType('listing.created').filter((e) => fraudIds('hijacked-seller', 'listing').has(e.data.listingId));
    expect(listings.length).toBeGreaterThanOrEqual(30);
    expect(listings.every((e) => e.data.price.amount < 0.4 * 150)).toBe(false); // prices vary with the product...
    expect(listings.every((e) => /@|\(at\)|\[at\]|WhatsApp/i.test(e.data.description ?? ''))).toBe(true);
    for (const phrase of [/before buying|Email first|WhatsApp \+44/, /vor dem Kauf|Vor Bestellung/, /avant d'acheter|avant la commande/, /przed zakupem/i]) {
      expect(listings.some((e) => phrase.test(e.data.description ?? ''))).toBe(true);
    }
  });

  it('sales-spike: over 150,000 EUR of orders for one seller within 30 minutes', () => {
    const [seller] = fraudIds('sales-spike', 'seller');
    const orders = ofType('order.placed').filter((e) => e.data.sellerId === seller && e.occurredAt >= run.injected.find((i) => i.pattern === 'sales-spike')!.startsAt);
    const total = orders.reduce((sum, e) => sum + e.data.amount.amount, 0);
    expect(total).toBeGreaterThan(150_000);
    expect(minutes(orders[0].occurredAt, orders[orders.length - 1].occurredAt)).toBeLessThanOrEqual(30);
  });

  it('exit-scam: sales surge without shipments, and a payout change', () => {
    const [seller] = fraudIds('exit-scam', 'seller');
    const orders = ofType('order.placed').filter((e) => e.data.sellerId === seller);
    const shipped = new Set(ofType('order.shipped').filter((e) => e.data.sellerId === seller).map((e) => e.data.orderId));
    expect(orders.length).toBeGreaterThanOrEqual(40);
    expect(orders.filter((o) => !shipped.has(o.data.orderId)).length).toBeGreaterThanOrEqual(40);
    expect(ofType('account.payout_changed').some((e) => e.data.accountId === seller)).toBe(true);
  });

  it('card-testing: many failed small payments over many cards on one account', () => {
    const [account] = fraudIds('card-testing', 'account');
    const payments = ofType('payment.attempted').filter((e) => e.data.accountId === account);
    expect(new Set(payments.map((p) => p.data.paymentInstrument.fingerprint)).size).toBeGreaterThanOrEqual(20);
    expect(payments.filter((p) => !p.data.success).length / payments.length).toBeGreaterThan(0.7);
    expect(payments.every((p) => p.data.amount.amount <= 5)).toBe(true);
  });

  it('promo-abuse: fresh accounts on one device sharing a promo code', () => {
    const accounts = fraudIds('promo-abuse', 'account');
    const signups = ofType('account.created').filter((e) => accounts.has(e.data.accountId));
    expect(new Set(signups.map((e) => e.data.deviceId)).size).toBe(1);
    const orders = ofType('order.placed').filter((e) => accounts.has(e.data.buyerId));
    expect(orders.length).toBeGreaterThanOrEqual(8);
    expect(new Set(orders.map((o) => o.data.promoCode))).toEqual(new Set(['WELCOME20']));
  });

  it('return-abuse: one account returns and is refunded again and again', () => {
    const [account] = fraudIds('return-abuse', 'account');
    expect(ofType('order.returned').filter((e) => e.data.buyerId === account).length).toBeGreaterThanOrEqual(5);
    expect(ofType('order.refunded').filter((e) => e.data.buyerId === account).length).toBeGreaterThanOrEqual(5);
  });

  it('new-account-high-value: a thousands-of-euros order minutes after sign-up', () => {
    const [account] = fraudIds('new-account-high-value', 'account');
    const created = ofType('account.created').find((e) => e.data.accountId === account)!;
    const order = ofType('order.placed').find((e) => e.data.buyerId === account)!;
    expect(order.data.amount.amount).toBeGreaterThan(1_500);
    expect(minutes(created.occurredAt, order.occurredAt)).toBeLessThan(10);
  });

  it('review-padding: 5-star reviewers share device, IP and card with the seller', () => {
    const [seller] = fraudIds('review-padding', 'seller');
    const sellerSignup = ofType('account.created').find((e) => e.data.accountId === seller)!;
    const reviews = ofType('review.posted').filter((e) => e.data.sellerId === seller && fraudIds('review-padding', 'account').has(e.data.authorId));
    expect(reviews.length).toBeGreaterThanOrEqual(6);
    expect(reviews.every((r) => r.data.rating === 5 && r.data.deviceId === sellerSignup.data.deviceId && r.data.ip === sellerSignup.data.signupIp)).toBe(true);
    expect(fraudIds('review-padding', 'device')).toEqual(new Set([sellerSignup.data.deviceId]));
    expect(fraudIds('review-padding', 'card').size).toBe(1);
  });

  it('reviewers-for-hire: each reviewer rates many distinct sellers within 20 minutes', () => {
    for (const reviewer of fraudIds('reviewers-for-hire', 'account')) {
      const reviews = ofType('review.posted').filter((e) => e.data.authorId === reviewer);
      expect(new Set(reviews.map((r) => r.data.sellerId)).size).toBeGreaterThanOrEqual(10);
      expect(minutes(reviews[0].occurredAt, reviews[reviews.length - 1].occurredAt)).toBeLessThanOrEqual(20);
    }
  });

  it('complaint-campaign: paraphrased 1-star texts from many new accounts against one seller', () => {
    const [seller] = fraudIds('complaint-campaign', 'seller');
    const complaints = ofType('review.posted').filter((e) => e.data.sellerId === seller && e.data.rating === 1);
    expect(complaints.length).toBeGreaterThanOrEqual(12);
    expect(new Set(complaints.map((c) => c.data.text)).size).toBeGreaterThan(5);
    expect(complaints.every((c) => /scam/i.test(c.data.text) && fraudIds('complaint-campaign', 'account').has(c.data.authorId))).toBe(true);
  });

  it('tainted-deposits: deposits one and two hops from a flagged wallet', () => {
    const [flagged] = ofType('wallet.flagged').map((e) => e.data.wallet);
    const transfers = ofType('wallet.transfer');
    const firstHop = transfers.filter((t) => t.data.fromWallet === flagged);
    const secondHop = transfers.filter((t) => firstHop.some((f) => f.data.toWallet === t.data.fromWallet));
    expect(firstHop.some((t) => t.data.kind === 'deposit')).toBe(true);
    expect(secondHop.some((t) => t.data.kind === 'deposit' && t.data.amount === t.data.balanceBefore)).toBe(true);
    for (const t of [...firstHop, ...secondHop]) expect(fraudIds('tainted-deposits', 'wallet').has(t.data.toWallet)).toBe(true);
  });

  it('wallet transfers never move more than the balance (velocity treats that as inconsistent data, not a drain)', () => {
    const transfers = ofType('wallet.transfer');
    expect(transfers.length).toBeGreaterThan(10);
    expect(transfers.filter((t) => t.data.amount > t.data.balanceBefore)).toEqual([]);
  });

  it('ordinary traffic: many buyers write near-identical honest reviews, some listings say "contact us through the platform"', () => {
    const honest = ofType('review.posted').filter((e) => /great product,? (and )?fast delivery/i.test(e.data.text));
    expect(new Set(honest.map((r) => r.data.authorId)).size).toBeGreaterThanOrEqual(10);
    expect(ofType('listing.created').some((e) => /contact us through the platform/i.test(e.data.description ?? ''))).toBe(true);
  });
});
