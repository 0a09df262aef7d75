import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { TopicNames } from '@vigil/contracts';
import { KAFKA_CLIENT, MESSAGE_PUBLISHER, MessagePublisher } from '@vigil/kafka';
import { REDIS_CLIENT, RedisClient, RedisKeys, redisRoundTrips } from '@vigil/redis';
import { effectiveRules, RuleChange, RuleDefinition } from '@vigil/rules';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { VelocityConfig } from '../config';

const LOG_SIZE = 1000;
const LOG_TTL_MS = 365 * 86_400_000;

const newer = (a: RuleChange, b: RuleChange | undefined): boolean => !b || a.baseVersion > b.baseVersion || (a.baseVersion === b.baseVersion && a.revision > b.revision);

/**
 * The tenants' rule changes (fraud.rules, compacted), applied over the rules file. Every instance
 * reads the whole topic with a consumer group of its own (so each sees every change: hot reload
 * on all instances), and velocity's event consumer starts only once this has read up to the
 * topic's end at start-up, so a restarted instance evaluates with the same rules as before.
 */
@Injectable()
export class RuleChangesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RuleChangesService.name);
  private readonly byTenant = new Map<string, Map<string, RuleChange>>();
  private consumer: Consumer | null = null;
  private stopped = false;
  private caughtUp!: () => void;
  /** Resolves once the topic has been read up to where it ended at start-up. */
  readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(SERVICE_CONFIG) private readonly config: VelocityConfig,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  onApplicationBootstrap(): void {
    void this.startUntilRunning();
  }

  private async startUntilRunning(): Promise<void> {
    for (let delayMs = 500; !this.stopped; delayMs = Math.min(delayMs * 2, 10_000)) {
      try {
        return await this.start();
      } catch (error) {
        this.logger.warn(`rule changes consumer could not start (retrying in ${delayMs} ms): ${(error as Error).message}`);
        await this.consumer?.disconnect().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      }
    }
  }

  private async start(): Promise<void> {
    const topic = this.topics.rules;
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    if (this.stopped) return; // the app closed while this was starting
    const pending = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high) - 1]));
    if (pending.size === 0) this.caughtUp();
    // a group per instance: every instance reads every change (its offsets are never used again)
    this.consumer = this.kafka.consumer({ groupId: `${consumerGroupId(this.config, 'velocity')}.rules.${randomUUID()}` });
    await this.consumer.connect();
    if (this.stopped) return void (await this.consumer.disconnect());
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (message.value) {
          try {
            this.apply(JSON.parse(message.value.toString()) as RuleChange);
          } catch (error) {
            this.logger.error(`unreadable rule change at ${partition}/${message.offset} skipped: ${(error as Error).message}`);
          }
        }
        if (pending.has(partition) && Number(message.offset) >= pending.get(partition)!) {
          pending.delete(partition);
          if (pending.size === 0) this.caughtUp();
        }
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }

  /** Keeps the newest change of each tenant's rule (a re-read or an out-of-date record changes nothing). */
  apply(change: RuleChange): void {
    const rules = this.byTenant.get(change.tenantId) ?? new Map<string, RuleChange>();
    if (newer(change, rules.get(change.ruleId))) rules.set(change.ruleId, change);
    this.byTenant.set(change.tenantId, rules);
  }

  change(tenantId: string, ruleId: string): RuleChange | undefined {
    return this.byTenant.get(tenantId)?.get(ruleId);
  }

  /** A tenant's rules: the file's with the tenant's changes. */
  rulesFor(tenantId: string, fileRules: readonly RuleDefinition[]): RuleDefinition[] {
    return effectiveRules(fileRules, this.byTenant.get(tenantId));
  }

  /** Publishes a change (acks=all) and applies it here at once; the other instances apply it as they read it. */
  async publish(change: RuleChange): Promise<void> {
    await this.publisher.publish([{ topic: this.topics.rules, key: `${change.tenantId}:${change.ruleId}`, value: JSON.stringify(change) }]);
    this.apply(change);
    const log = this.logKey(change.tenantId);
    redisRoundTrips.inc({ operation: 'rules.log' });
    await this.redis.multi().lpush(log, JSON.stringify(change)).ltrim(log, 0, LOG_SIZE - 1).pexpire(log, LOG_TTL_MS).exec();
  }

  /** The tenant's newest changes (the audit trail beside the compacted topic, which keeps the latest per rule). */
  async history(tenantId: string, limit = 50): Promise<RuleChange[]> {
    return (await this.redis.lrange(this.logKey(tenantId), 0, limit - 1)).map((raw) => JSON.parse(raw) as RuleChange);
  }

  private logKey = (tenantId: string) => this.keys.global('velocity-rules-log', tenantId);
}
