import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { CountersEngine, parseDuration } from '@vigil/counters';
import { TopicNames, validateEvent, VigilEvent } from '@vigil/contracts';
import { BatchConsumerFactory, BatchConsumerRunner, Decoded, DecodedMessage, InboundMessage, MESSAGE_PUBLISHER, MessagePublisher } from '@vigil/kafka';
import { counter } from '@vigil/observability';
import { REDIS_CLIENT, RedisClient, RedisKeys } from '@vigil/redis';
import { RulesWatcher } from '@vigil/rules';
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
const eventsTotal = counter({ name: 'vigil_velocity_events_total', help: 'Events processed by velocity', labelNames: ['type'] });

/** Decodes a family-topic message: JSON + the event contract; anything else is dead-lettered with the reason. */
export function decodeEvent(message: InboundMessage): Decoded<VigilEvent> {
  let raw: unknown;
  try {
    raw = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const result = validateEvent(raw);
  if (!result.ok) {
    return { ok: false, reason: `invalid event: ${result.errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`, details: result.errors };
  }
  return { ok: true, value: result.event };
}

/**
 * Consumes the accounts, orders and wallets topics. Per batch: one Redis round trip updates and
 * reads every counter of every event (CountersEngine.apply), rules are evaluated in memory, and
 * only if something fires a second round trip claims "fired in this window bucket"; signals are
 * published (acks=all) before the runner commits the batch.
 */
@Injectable()
export class VelocityConsumer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(VelocityConsumer.name);
  readonly engine: CountersEngine;
  readonly rules: RulesWatcher;
  private readonly latenessMs: number;
  private runner: BatchConsumerRunner<VigilEvent> | null = null;
  private stopped = false;
  /** topic:partition pairs this instance has processed (bounded by the partition count). */
  private readonly partitionsSeen = new Set<string>();

  constructor(
    private readonly consumers: BatchConsumerFactory,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(SERVICE_CONFIG) private readonly config: VelocityConfig,
    @Inject(REDIS_CLIENT) redis: RedisClient,
    keys: RedisKeys,
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
    this.runner = this.consumers.create<VigilEvent>({
      groupId: consumerGroupId(this.config, 'velocity'),
      topics: [this.topics.events.accounts, this.topics.events.orders, this.topics.events.wallets],
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
      decode: decodeEvent,
      handle: (messages, context) => {
        this.partitionsSeen.add(`${context.topic}:${context.partition}`);
        return this.handle(messages);
      },
    });
    void this.startUntilRunning(this.runner);
  }

  private async startUntilRunning(runner: BatchConsumerRunner<VigilEvent>): Promise<void> {
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

  /** How many partitions this instance has processed batches of (for operations and tests). */
  handledPartitions(): number {
    return this.partitionsSeen.size;
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.rules.stop();
  }

  /** Processes one batch; idempotent (redelivery re-derives the same signals with the same ids). */
  async handle(messages: DecodedMessage<VigilEvent>[]): Promise<void> {
    const events = messages.map((m) => m.value);
    const plans = events.map(planEvent);
    const ops = events.flatMap((event, i) => toOps(event, plans[i]));
    const results = await this.engine.apply(ops);
    const rules = this.rules.rules;
    const now = new Date();
    const candidates: CandidateSignal[] = [];
    let offset = 0;
    events.forEach((event, i) => {
      eventsTotal.inc({ type: event.type });
      const own = results.slice(offset, offset + plans[i].length);
      offset += plans[i].length;
      const run = runRules(event, plans[i], own, rules, this.latenessMs, now);
      run.suppressed.forEach((rule) => signalsTotal.inc({ rule, mode: 'n/a', outcome: 'suppressed' }));
      candidates.push(...run.candidates);
    });
    if (candidates.length === 0) return;
    const allowed = await this.engine.claimOnce(candidates.map((c) => c.claim));
    const publish = candidates.filter((c, i) => {
      signalsTotal.inc({ rule: c.signal.ruleId, mode: c.signal.mode, outcome: allowed[i] ? 'published' : 'deduplicated' });
      return allowed[i];
    });
    if (publish.length === 0) return;
    await this.publisher.publish(
      publish.map(({ signal }) => ({
        topic: this.topics.signals,
        key: `${signal.subject.tenantId}:${signal.subject.type}:${signal.subject.id}`,
        value: JSON.stringify(signal),
        headers: { 'vigil-rule': signal.ruleId, 'vigil-mode': signal.mode },
      })),
    );
  }
}
