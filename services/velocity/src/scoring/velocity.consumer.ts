import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { CountersEngine, parseDuration } from '@vigil/counters';
import { decodeEventMessage, eventTimeMs, FraudSignal, signalRecord, TopicNames, VigilEvent } from '@vigil/contracts';
import { BatchConsumerFactory, EventTimeConsumerRunner, MESSAGE_PUBLISHER, MessagePublisher, SequencedMessage } from '@vigil/kafka';
import { counter } from '@vigil/observability';
import { REDIS_CLIENT, RedisClient, RedisKeys } from '@vigil/redis';
import { RulesWatcher } from '@vigil/rules';
import { SellerDetectors } from '@vigil/seller-detectors';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { VelocityConfig } from '../config';
import { KNOWN_METRICS, MAX_WINDOW_MS } from '../features/counter-catalogue';
import { planEvent, toOps } from '../features/event-features';
import { CandidateSignal, runRules } from './rule-runner';

const signalsTotal = counter({
  name: 'vigil_velocity_signals_total',
  help: 'Rule outcomes: published, deduplicated (already fired in this window bucket), suppressed (allow list)',
  labelNames: ['rule', 'mode', 'outcome'],
});
const eventsTotal = counter({
  name: 'vigil_velocity_events_total',
  help: 'Events processed by velocity (late: behind the released frontier; beyond: later than the allowed lateness, not evaluated)',
  labelNames: ['type', 'timing'],
});

/**
 * ONE pass over the accounts, orders, wallets and listings topics, merged in event-time order
 * (EventTimeConsumerRunner; semantics in docs/event-time.md). Each event is decoded once; per
 * released chunk the counters (one Redis round trip for every counter of every event) and the
 * seller/fund-flow detectors run over the same events, the rules are evaluated in memory, a
 * claim round trip runs only if a rule fired, and all signals are published (acks=all) before
 * the offsets are committed.
 */
@Injectable()
export class VelocityConsumer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(VelocityConsumer.name);
  readonly engine: CountersEngine;
  readonly rules: RulesWatcher;
  private readonly latenessMs: number;
  private runner: EventTimeConsumerRunner<VigilEvent> | null = null;
  private stopped = false;

  constructor(
    private readonly consumers: BatchConsumerFactory,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(SERVICE_CONFIG) private readonly config: VelocityConfig,
    @Inject(REDIS_CLIENT) redis: RedisClient,
    keys: RedisKeys,
    private readonly detectors: SellerDetectors,
  ) {
    this.latenessMs = parseDuration(config.ALLOWED_LATENESS);
    this.engine = new CountersEngine(redis, keys, { allowedLatenessMs: this.latenessMs, maxWindowMs: MAX_WINDOW_MS });
    this.rules = new RulesWatcher(config.RULES_FILE, {
      isKnownMetric: (metric) => KNOWN_METRICS.has(metric),
      pollIntervalMs: config.RULES_POLL_INTERVAL_MS,
    });
  }

  // The service refuses to start with an invalid rules file (later changes are refused softly).
  async onModuleInit(): Promise<void> {
    await this.rules.start();
  }

  onApplicationBootstrap(): void {
    const t = this.topics.events;
    this.runner = this.consumers.createEventTime<VigilEvent>({
      groupId: consumerGroupId(this.config, 'velocity'),
      topics: [t.accounts, t.orders, t.wallets, t.listings],
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
      decode: decodeEventMessage,
      eventTime: (event) => ({ timeMs: eventTimeMs(event), id: event.id, stream: event.tenantId }),
      allowedLatenessMs: this.latenessMs,
      idleMs: this.config.STREAM_IDLE_MS,
      holdMs: this.config.STREAM_HOLD_MS,
      handle: (messages) => this.handle(messages),
    });
    void this.startUntilRunning(this.runner);
  }

  private async startUntilRunning(runner: EventTimeConsumerRunner<VigilEvent>): Promise<void> {
    for (let delayMs = 500; !this.stopped; delayMs = Math.min(delayMs * 2, 10_000)) {
      try {
        await runner.start();
        return;
      } catch (error) {
        this.logger.warn(`velocity consumer could not start (retrying in ${delayMs} ms): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      }
    }
  }

  /** Partitions this instance holds: all of them on the active instance, none on a standby. */
  handledPartitions(): number {
    return this.runner?.assignment.length ?? 0;
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.rules.stop();
  }

  /**
   * Processes events released in event-time order; idempotent (redelivery re-derives the same
   * signals with the same ids). Events beyond the allowed lateness update order-independent state
   * only and are never evaluated, so they cannot change a decision taken without them.
   */
  async handle(messages: SequencedMessage<VigilEvent>[]): Promise<void> {
    const events = messages.map((m) => m.value);
    const beyond = messages.map((m) => m.beyondLateness);
    const plans = events.map(planEvent);
    const ops = events.flatMap((event, i) => toOps(event, plans[i], beyond[i]));
    const inTime = events.filter((_, i) => !beyond[i]);
    const [results, detected] = await Promise.all([this.engine.apply(ops), this.detectors.detect(inTime)]);
    const rules = this.rules.rules;
    const now = new Date();
    const candidates: CandidateSignal[] = [];
    let offset = 0;
    messages.forEach((m, i) => {
      eventsTotal.inc({ type: m.value.type, timing: m.beyondLateness ? 'beyond_lateness' : m.late ? 'late' : 'in_order' });
      const own = results.slice(offset, offset + plans[i].length);
      offset += plans[i].length;
      if (m.beyondLateness) return;
      const run = runRules(m.value, plans[i], own, rules, this.latenessMs, now);
      run.suppressed.forEach((rule) => signalsTotal.inc({ rule, mode: 'n/a', outcome: 'suppressed' }));
      candidates.push(...run.candidates);
    });
    const allowed = await this.engine.claimOnce(candidates.map((c) => c.claim));
    const fromRules = candidates.filter((c, i) => {
      signalsTotal.inc({ rule: c.signal.ruleId, mode: c.signal.mode, outcome: allowed[i] ? 'published' : 'deduplicated' });
      return allowed[i];
    });
    const signals: FraudSignal[] = [...fromRules.map((c) => c.signal), ...detected];
    if (signals.length === 0) return;
    await this.publisher.publish(signals.map((signal) => ({ topic: this.topics.signals, ...signalRecord(signal) })));
  }
}
