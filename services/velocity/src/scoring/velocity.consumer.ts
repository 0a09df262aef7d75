import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { CountersEngine, parseDuration } from '@vigil/counters';
import { decodeEventMessage, signalRecord, TopicNames, VigilEvent } from '@vigil/contracts';
import { BatchConsumerFactory, EventTimeConsumerRunner, MESSAGE_PUBLISHER, MessagePublisher, SequencedMessage } from '@vigil/kafka';
import { REDIS_CLIENT, RedisClient, RedisKeys } from '@vigil/redis';
import { RulesWatcher } from '@vigil/rules';
import { SellerDetectors } from '@vigil/seller-detectors';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { eventOrderKey, VELOCITY_FAMILIES, VELOCITY_RULES_OPTIONS, VelocityPass } from '@vigil/velocity-scoring';
import { VelocityConfig } from '../config';
import { RuleChangesService } from '../rules/rule-changes.service';

/**
 * ONE pass over the accounts, orders, wallets and listings topics, merged in event-time order
 * (EventTimeConsumerRunner; semantics in docs/event-time.md). Each event is decoded once; each
 * released chunk goes through VelocityPass (@vigil/velocity-scoring: counters, detectors, rules,
 * claims; the offline backtest runs the same code) and its signals are published (acks=all)
 * before the offsets are committed.
 */
@Injectable()
export class VelocityConsumer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(VelocityConsumer.name);
  readonly rules: RulesWatcher;
  private readonly pass: VelocityPass;
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
    detectors: SellerDetectors,
    private readonly changes: RuleChangesService,
  ) {
    this.latenessMs = parseDuration(config.ALLOWED_LATENESS);
    this.pass = new VelocityPass(redis, keys, detectors, this.latenessMs);
    this.rules = new RulesWatcher(config.RULES_FILE, { ...VELOCITY_RULES_OPTIONS, pollIntervalMs: config.RULES_POLL_INTERVAL_MS });
  }

  /** The counters engine of the pass (tests read counters through it). */
  get engine(): CountersEngine {
    return this.pass.engine;
  }

  // The service refuses to start with an invalid rules file (later changes are refused softly).
  async onModuleInit(): Promise<void> {
    await this.rules.start();
  }

  onApplicationBootstrap(): void {
    const t = this.topics.events;
    this.runner = this.consumers.createEventTime<VigilEvent>({
      groupId: consumerGroupId(this.config, 'velocity'),
      topics: VELOCITY_FAMILIES.map((family) => t[family]),
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
      decode: decodeEventMessage,
      eventTime: eventOrderKey,
      allowedLatenessMs: this.latenessMs,
      idleMs: this.config.STREAM_IDLE_MS,
      holdMs: this.config.STREAM_HOLD_MS,
      handle: (messages) => this.handle(messages),
    });
    void this.startUntilRunning(this.runner);
  }

  private async startUntilRunning(runner: EventTimeConsumerRunner<VigilEvent>): Promise<void> {
    // the tenants' rule changes first: an event is never evaluated with rules missing a change
    await this.changes.ready;
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

  /** Processes one chunk released in event-time order (idempotent: see VelocityPass). */
  async handle(messages: SequencedMessage<VigilEvent>[]): Promise<void> {
    const file = this.rules.rules;
    const signals = await this.pass.run(messages, (tenantId) => this.changes.rulesFor(tenantId, file));
    if (signals.length === 0) return;
    await this.publisher.publish(signals.map((signal) => ({ topic: this.topics.signals, ...signalRecord(signal) })));
  }
}
