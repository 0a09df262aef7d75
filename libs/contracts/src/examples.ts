import { EventPayload, EventType } from './event-types';

/**
 * One valid payload per event type. Used by the API docs, the contract tests and as a
 * starting point for integrators; keep them realistic.
 */
export const EXAMPLE_PAYLOADS: { [T in EventType]: EventPayload<T> } = {
  'account.created': {
    accountId: 'acc-1001',
    roles: ['buyer'],
    emailDomain: 'example.com',
    emailHash: 'em-5f2a',
    signupIp: '203.0.113.7',
    deviceId: 'dev-77',
    country: 'DE',
  },
  'account.login': { accountId: 'acc-1001', success: true, ip: '203.0.113.7', deviceId: 'dev-77', ipCountry: 'DE' },
  'account.credentials_changed': { accountId: 'acc-2001', credential: 'password', ip: '198.51.100.4', deviceId: 'dev-91' },
  'account.payout_changed': { accountId: 'acc-2001', payoutFingerprint: 'iban-9c1e', ip: '198.51.100.4' },
  'listing.created': {
    listingId: 'lst-1',
    sellerId: 'acc-2001',
    productId: '4006381333931',
    category: 'appliances/washing-machines',
    title: 'Washing machine 8 kg, A+++',
    description: 'Brand new, ships in 3 days.',
    price: { amount: 449.0, currency: 'EUR' },
    quantity: 5,
  },
  'listing.updated': { listingId: 'lst-1', sellerId: 'acc-2001', price: { amount: 429.0, currency: 'EUR' } },
  'order.placed': {
    orderId: 'ord-1',
    buyerId: 'acc-1001',
    sellerId: 'acc-2001',
    items: [{ listingId: 'lst-1', productId: '4006381333931', quantity: 1, unitPrice: { amount: 449.0, currency: 'EUR' } }],
    amount: { amount: 449.0, currency: 'EUR' },
    shippingAddress: { fingerprint: 'addr-31ab', country: 'DE', postalCode: '10115', city: 'Berlin' },
    ip: '203.0.113.7',
    ipCountry: 'DE',
    deviceId: 'dev-77',
    paymentInstrument: { fingerprint: 'card-4f1d', type: 'card', country: 'DE' },
    promoCode: 'WELCOME10',
  },
  'payment.attempted': {
    paymentId: 'pay-1',
    accountId: 'acc-1001',
    orderId: 'ord-1',
    success: false,
    failureReason: 'do_not_honor',
    amount: { amount: 449.0, currency: 'EUR' },
    paymentInstrument: { fingerprint: 'card-4f1d', type: 'card' },
    ip: '203.0.113.7',
    deviceId: 'dev-77',
  },
  'order.shipped': { orderId: 'ord-1', buyerId: 'acc-1001', sellerId: 'acc-2001', carrier: 'DHL', trackingId: 'JJD0001' },
  'order.delivered': { orderId: 'ord-1', buyerId: 'acc-1001', sellerId: 'acc-2001' },
  'order.refunded': {
    orderId: 'ord-1',
    buyerId: 'acc-1001',
    sellerId: 'acc-2001',
    amount: { amount: 449.0, currency: 'EUR' },
    reason: 'not as described',
  },
  'order.returned': { orderId: 'ord-1', buyerId: 'acc-1001', sellerId: 'acc-2001', reason: 'changed mind' },
  'chargeback.opened': {
    orderId: 'ord-1',
    buyerId: 'acc-1001',
    sellerId: 'acc-2001',
    amount: { amount: 449.0, currency: 'EUR' },
    reasonCode: '10.4',
  },
  'review.posted': {
    reviewId: 'rev-1',
    authorId: 'acc-1001',
    sellerId: 'acc-2001',
    productId: '4006381333931',
    orderId: 'ord-1',
    rating: 5,
    text: 'Arrived quickly, works as described.',
    ip: '203.0.113.7',
    deviceId: 'dev-77',
  },
  'wallet.transfer': {
    transferId: 'tx-1',
    fromWallet: 'bc1qexternal01',
    toWallet: 'bc1qplatform01',
    amount: 0.5,
    asset: 'BTC',
    balanceBefore: 0.5,
    kind: 'deposit',
    accountId: 'acc-1001',
  },
  'wallet.flagged': { wallet: 'bc1qhacker01', reason: 'hack', source: 'internal' },
};

/** A complete example envelope of the given type. */
export function exampleEvent<T extends EventType>(type: T, overrides: Record<string, unknown> = {}) {
  return {
    id: `evt-${type}-1`,
    type,
    version: 1,
    occurredAt: '2026-11-23T10:00:00.000Z',
    tenantId: 'demo-market',
    data: structuredClone(EXAMPLE_PAYLOADS[type]),
    ...overrides,
  };
}
