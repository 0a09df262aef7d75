import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { decodeEventMessage, FraudSignal, signalRecord, TopicNames, VigilEvent, eventTimeMs } from '@vigil/contracts';
import { BatchConsumerFactory, MESSAGE_PUBLISHER, MessagePublisher, SequencedMessage } from '@vigil/kafka';
import { counter } from '@vigil/observability';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { DEFAULT_MINHASH_OPTIONS, textSignature } from '@vigil/text-similarity';
import { ReviewAnalysisConfig } from '../config';
import { detectReviewSignals, ReviewEvent } from './review-detectors';
import { ReviewStateStore, StateItem } from './review-state.store';

const signalsTotal = counter({
  name: 'vigil_review_signals_total',
  help: 'Signals published by review-analysis, by rule',
  labelNames: ['rule'],
});
/** A review that arrives this long after later events were judged is not judged itself. */
const LATE_REVIEW_MS = 60 * 60_000;
const reviewsTotal = counter({ name: 'vigil_review_reviews_total', help: 'Reviews analysed (redeliveries included)' });


/**
 * What an event teaches the service. Links are typed "kind:value" so a card used to pay and
 * the same fingerprint used as a payout destination meet under one kind ("money").
 */
export function toStateItem(event: VigilEvent, config: ReviewAnalysisConfig): { item: StateItem; signature?: string } | null {
  const base = { id: event.id, tenant: event.tenantId, t: eventTimeMs(event) };
  switch (event.type) {
    case 'account.created':
      return {
        item: { ...base, kind: 'account', account: event.data.accountId, createdMs: base.t, links: [`device:${event.data.deviceId}`, `ip:${event.data.signupIp}`] },
      };
    case 'account.login':
      if (!event.data.success) return null;
      return { item: { ...base, kind: 'account', account: event.data.accountId, links: [`device:${event.data.deviceId}`, `ip:${event.data.ip}`] } };
    case 'account.payout_changed':
      return { item: { ...base, kind: 'account', account: event.data.accountId, links: [`money:${event.data.payoutFingerprint}`] } };
    case 'order.placed': {
      const d = event.data;
      const links = [`device:${d.deviceId}`, `ip:${d.ip}`, `money:${d.paymentInstrument.fingerprint}`, `address:${d.shippingAddress.fingerprint}`];
      if (d.billingAddress) links.push(`address:${d.billingAddress.fingerprint}`);
      return { item: { ...base, kind: 'order', buyer: d.buyerId, seller: d.sellerId, links } };
    }
    case 'review.posted': {
      const d = event.data;
      const links = [...(d.deviceId ? [`device:${d.deviceId}`] : []), ...(d.ip ? [`ip:${d.ip}`] : [])];
      const sig = textSignature(d.text, { ...DEFAULT_MINHASH_OPTIONS, minFeatures: config.REVIEW_TEXT_MIN_WORDS });
      return {
        item: {
          ...base,
          kind: 'review',
          review: d.reviewId,
          author: d.authorId,
          seller: d.sellerId,
          ...(d.productId ? { product: d.productId } : {}),
          rating: d.rating,
          links,
          ...(sig ? { sig: sig.signature, bands: sig.bandKeys } : {}),
        },
        signature: sig?.signature,
      };
    }
    default:
      return null;
  }
}

/**
 * Consumes reviews, accounts and orders merged in event-time order (docs/event-time.md), so a
 * review is judged against exactly the accounts, orders and reviews that precede it; one Redis
 * round trip and one publish per released chunk.
 */
@Injectable()
export class ReviewAnalysisService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReviewAnalysisService.name);

  constructor(
    private readonly consumers: BatchConsumerFactory,
    private readonly store: ReviewStateStore,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    @Inject(SERVICE_CONFIG) private readonly config: ReviewAnalysisConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const runner = this.consumers.createEventTime<VigilEvent>({
      groupId: consumerGroupId(this.config, this.config.REVIEW_CONSUMER_GROUP),
      topics: [this.topics.events.reviews, this.topics.events.accounts, this.topics.events.orders],
      decode: decodeEventMessage,
      eventTime: (event) => ({ timeMs: eventTimeMs(event), id: event.id, stream: event.tenantId }),
      allowedLatenessMs: LATE_REVIEW_MS,
      idleMs: this.config.STREAM_IDLE_MS,
      holdMs: this.config.STREAM_HOLD_MS,
      handle: (messages) => this.handleBatch(messages),
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
    });
    await runner.start();
  }

  /** Events beyond the lateness still teach the state (links, accounts) but are not judged. */
  async handleBatch(messages: Pick<SequencedMessage<VigilEvent>, 'value' | 'beyondLateness'>[]): Promise<void> {
    const work = messages
      .map((m) => ({ event: m.value, judge: !m.beyondLateness, state: toStateItem(m.value, this.config) }))
      .filter((w): w is { event: VigilEvent; judge: boolean; state: NonNullable<ReturnType<typeof toStateItem>> } => w.state !== null);
    const facts = await this.store.apply(work.map((w) => w.state.item));
    const detectedAt = new Date().toISOString();
    const signals = new Map<string, FraudSignal>();
    work.forEach((w, i) => {
      const f = facts[i];
      if (w.event.type !== 'review.posted' || !f || !w.judge) return;
      reviewsTotal.inc();
      for (const signal of detectReviewSignals(w.event as ReviewEvent, f, w.state.signature, this.config, detectedAt)) {
        signals.set(signal.signalId, signal);
      }
    });
    if (signals.size === 0) return;
    // Signals were validated when built (buildSignal throws on a contract break: the runner isolates and dead-letters the event).
    const outbound = [...signals.values()].map((signal) => {
      signalsTotal.inc({ rule: signal.ruleId });
      return { topic: this.topics.signals, ...signalRecord(signal) };
    });
    await this.publisher.publish(outbound);
    this.logger.debug(`published ${outbound.length} signal(s)`);
  }
}
