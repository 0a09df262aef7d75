import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, EventType, exampleEvent } from '@vigil/contracts';
import { Kafka, logLevel, Producer } from 'kafkajs';

/*
 * Synthetic traffic for the velocity integration tests and benchmark: valid events with unique
 * ids and chosen event times, published to the family topics keyed like ingestion does.
 */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const T0 = Date.parse('2026-03-02T08:00:00Z');

export interface TestEvent {
  id: string;
  type: EventType;
  version: number;
  occurredAt: string;
  tenantId: string;
  data: Record<string, unknown>;
}

export function makeEvent(type: EventType, tenantId: string, atMs: number, data: Record<string, unknown>, id = `e-${randomUUID()}`): TestEvent {
  const base = exampleEvent(type) as unknown as TestEvent;
  return { ...base, id, tenantId, occurredAt: new Date(atMs).toISOString(), data: { ...base.data, ...data } };
}

export interface OrderShape {
  buyer: string;
  device?: string;
  ip?: string;
  ipCountry?: string;
  card?: string;
  address?: string;
  country?: string;
  amount?: number;
  currency?: string;
  promo?: string;
}

export function order(tenantId: string, atMs: number, o: OrderShape): TestEvent {
  return makeEvent('order.placed', tenantId, atMs, {
    orderId: `ord-${randomUUID().slice(0, 12)}`,
    buyerId: o.buyer,
    deviceId: o.device ?? `dev-${o.buyer}`,
    ip: o.ip ?? '198.51.100.10',
    ipCountry: o.ipCountry ?? 'DE',
    paymentInstrument: { fingerprint: o.card ?? `card-${o.buyer}`, type: 'card', country: o.country ?? 'DE' },
    shippingAddress: { fingerprint: o.address ?? `addr-${o.buyer}`, country: o.country ?? 'DE', postalCode: '10115', city: 'Berlin' },
    amount: { amount: o.amount ?? 49, currency: o.currency ?? 'EUR' },
    items: [{ listingId: 'lst-1', quantity: 1, unitPrice: { amount: o.amount ?? 49, currency: o.currency ?? 'EUR' } }],
    promoCode: o.promo,
  });
}

export function signup(tenantId: string, atMs: number, account: string, device = `dev-${account}`, ip = '198.51.100.20'): TestEvent {
  return makeEvent('account.created', tenantId, atMs, { accountId: account, deviceId: device, signupIp: ip });
}

export function login(tenantId: string, atMs: number, account: string, device: string, ip: string): TestEvent {
  return makeEvent('account.login', tenantId, atMs, { accountId: account, deviceId: device, ip, success: true, failureReason: undefined });
}

export function payment(tenantId: string, atMs: number, account: string, card: string, success: boolean): TestEvent {
  return makeEvent('payment.attempted', tenantId, atMs, {
    paymentId: `pay-${randomUUID().slice(0, 12)}`,
    accountId: account,
    success,
    failureReason: success ? undefined : 'do_not_honor',
    paymentInstrument: { fingerprint: card, type: 'card' },
  });
}

export function afterOrder(type: 'order.returned' | 'order.refunded' | 'chargeback.opened', tenantId: string, atMs: number, buyer: string): TestEvent {
  return makeEvent(type, tenantId, atMs, { orderId: `ord-${randomUUID().slice(0, 12)}`, buyerId: buyer });
}

export function transfer(tenantId: string, atMs: number, from: string, to: string, amount: number, balanceBefore: number): TestEvent {
  return makeEvent('wallet.transfer', tenantId, atMs, { transferId: `tx-${randomUUID().slice(0, 12)}`, fromWallet: from, toWallet: to, amount, balanceBefore });
}

/** Publishes events to their family topics (prefix applied), keyed by the catalogue's partition key. */
export class TrafficProducer {
  private constructor(private readonly producer: Producer, private readonly prefix: string) {}

  static async connect(brokers: string[], prefix: string): Promise<TrafficProducer> {
    const producer = new Kafka({ clientId: 'velocity-traffic', brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return new TrafficProducer(producer, prefix);
  }

  async send(events: TestEvent[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const event of events) {
      const spec = EVENT_TYPES[event.type] as { family: string; key: (d: unknown) => string };
      const topic = `${this.prefix}.events.${spec.family}`;
      const list = byTopic.get(topic) ?? [];
      list.push({ key: spec.key(event.data), value: JSON.stringify(event) });
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  async sendRaw(topic: string, value: string): Promise<void> {
    await this.producer.send({ topic: `${this.prefix}.${topic}`, messages: [{ key: 'x', value }] });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
