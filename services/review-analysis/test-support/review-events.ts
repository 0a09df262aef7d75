/*
 * Event builders and traffic generators for review-analysis' integration tests and benchmark.
 * Every event is a complete, valid envelope (checked with validateEvent before it is sent).
 */
import { Kafka, logLevel, Producer } from 'kafkajs';
import { EVENT_TYPES, EventType, topicNames, validateEvent } from '@vigil/contracts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export interface RawEvent {
  id: string;
  type: EventType;
  version: 1;
  occurredAt: string;
  tenantId: string;
  data: Record<string, unknown>;
}

let sequence = 0;
function envelope(type: EventType, tenantId: string, atMs: number, data: Record<string, unknown>, id?: string): RawEvent {
  sequence++;
  return { id: id ?? `evt-${tenantId}-${type}-${sequence}`, type, version: 1, occurredAt: new Date(atMs).toISOString(), tenantId, data };
}

export function accountCreated(tenant: string, accountId: string, atMs: number, opts: { deviceId?: string; ip?: string; seller?: boolean } = {}): RawEvent {
  return envelope('account.created', tenant, atMs, {
    accountId,
    roles: opts.seller ? ['seller'] : ['buyer'],
    emailDomain: 'example.com',
    signupIp: opts.ip ?? `10.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${sequence & 255}`,
    deviceId: opts.deviceId ?? `dev-${accountId}`,
    country: 'DE',
  });
}

export function login(tenant: string, accountId: string, atMs: number, opts: { deviceId: string; ip: string }): RawEvent {
  return envelope('account.login', tenant, atMs, { accountId, success: true, ip: opts.ip, deviceId: opts.deviceId });
}

export function orderPlaced(
  tenant: string,
  buyerId: string,
  sellerId: string,
  atMs: number,
  opts: { deviceId?: string; ip?: string; card?: string; address?: string; productId?: string } = {},
): RawEvent {
  return envelope('order.placed', tenant, atMs, {
    orderId: `ord-${sequence}`,
    buyerId,
    sellerId,
    items: [{ listingId: `lst-${sellerId}`, ...(opts.productId ? { productId: opts.productId } : {}), quantity: 1, unitPrice: { amount: 20, currency: 'EUR' } }],
    amount: { amount: 20, currency: 'EUR' },
    shippingAddress: { fingerprint: opts.address ?? `addr-${buyerId}`, country: 'DE' },
    ip: opts.ip ?? `192.168.${(sequence >> 8) & 255}.${sequence & 255}`,
    deviceId: opts.deviceId ?? `dev-${buyerId}`,
    paymentInstrument: { fingerprint: opts.card ?? `card-${buyerId}`, type: 'card' },
  });
}

export function reviewPosted(
  tenant: string,
  atMs: number,
  data: { reviewId?: string; authorId: string; sellerId: string; productId?: string; rating: number; text: string; ip?: string; deviceId?: string },
  id?: string,
): RawEvent {
  return envelope('review.posted', tenant, atMs, { reviewId: data.reviewId ?? `rev-${sequence}`, ...data }, id);
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GENERIC = [
  'Great product, fast delivery!',
  'great product. fast shipping',
  'Good quality, fast delivery, recommend',
  'Super, alles bestens',
  'Très bon produit, livraison rapide',
  'All good, thanks!',
  'Works as described. Fast delivery.',
  'Great seller, great product, would buy again',
];
const SUBJECTS = ['kettle', 'toaster', 'headphones', 'jacket', 'lamp', 'backpack', 'blender', 'charger', 'mug', 'book', 'scarf', 'drill'];
const ASPECTS = ['handle', 'battery', 'colour', 'fabric', 'sound', 'cable', 'packaging', 'finish', 'size', 'smell', 'lid', 'button', 'zipper', 'manual'];
const OPINIONS = ['solid', 'cheap', 'darker', 'thick', 'balanced', 'short', 'dented', 'glossy', 'tight', 'strong', 'quiet', 'stiff', 'soft', 'flimsy'];
const CONTEXTS = [
  'for my daughter', 'in our kitchen', 'on the commute', 'after two weeks', 'at the office', 'for camping',
  'as a gift', 'every morning', 'in winter', 'compared to my old one', 'for the price', 'during travel',
];
const VERDICTS = ['happy overall', 'would buy again', 'decent value', 'does the job', 'slightly disappointed', 'pleasantly surprised', 'recommended', 'okay'];

/**
 * Ordinary review traffic: mostly short generic praise (the same few phrases, marketplace-wide),
 * the rest individual texts built from a shared everyday vocabulary (similar-sounding, not copied);
 * ratings 3-5.
 */
export function honestReviewText(random: () => number): { text: string; rating: number } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const rating = random() < 0.6 ? 5 : random() < 0.7 ? 4 : 3;
  if (random() < 0.6) return { text: pick(GENERIC), rating };
  return {
    text: `Bought the ${pick(SUBJECTS)} ${pick(CONTEXTS)}. The ${pick(ASPECTS)} is ${pick(OPINIONS)}, the ${pick(ASPECTS)} ${pick(OPINIONS)}. ${pick(VERDICTS)}.`,
    rating,
  };
}

/** Sends events to their family topics, keyed like ingestion does. */
export class EventSender {
  private constructor(
    private readonly producer: Producer,
    private readonly prefix: string,
  ) {}

  static async connect(brokers: string[], topicPrefix: string): Promise<EventSender> {
    const producer = new Kafka({ clientId: 'review-test-sender', brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    return new EventSender(producer, topicPrefix);
  }

  async send(events: RawEvent[]): Promise<void> {
    const topics = topicNames(this.prefix);
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const event of events) {
      const check = validateEvent(event);
      if (!check.ok) throw new Error(`test event ${event.id} is invalid: ${JSON.stringify(check.errors)}`);
      const topic = topics.events[EVENT_TYPES[event.type].family];
      const list = byTopic.get(topic) ?? [];
      list.push({ key: check.key, value: JSON.stringify(event) });
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  async sendRaw(topic: string, value: string): Promise<void> {
    await this.producer.send({ topic, messages: [{ key: 'x', value }] });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** Resolves once the consumer group has committed every message currently in the topics. */
export async function consumedAll(brokers: string[], groupId: string, topics: string[]): Promise<boolean> {
  const admin = new Kafka({ clientId: 'review-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const offset = mine.find((p) => p.partition === end.partition)?.offset ?? '-1';
        if (Number(end.high) > 0 && Number(offset) < Number(end.high)) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

/** Number of messages currently in a topic (sum of the partitions' high watermarks). */
export async function topicSize(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'review-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
