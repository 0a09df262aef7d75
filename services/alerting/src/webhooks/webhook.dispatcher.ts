import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { FraudAlert } from '@vigil/contracts';
import { counter, gauge, safeUrl } from '@vigil/observability';
import { defineScripts, REDIS_CLIENT, RedisClient, RedisKeys, runScript } from '@vigil/redis';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { SIGNATURE_HEADER, signPayload } from '@vigil/signature';
import { AlertingConfig } from '../config';
import { severityRank } from '../scoring/scoring';
import { OUTBOX_CLAIM_LUA, OUTBOX_ENQUEUE_LUA, OUTBOX_SETTLE_LUA } from './webhook-outbox.lua';

const deliveries = counter({
  name: 'vigil_alerting_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome (delivered, failed_attempt, gave_up, dropped_queue_full)',
  labelNames: ['outcome'],
});
const queueDepth = gauge({ name: 'vigil_alerting_webhook_queue_depth', help: 'Webhook deliveries waiting or in flight (the Redis outbox)' });

interface Delivery {
  url: string;
  body: string;
  alertId: string;
  revision: number;
  attempt: number;
}

/** How often the outbox is polled for due deliveries, and how many are in flight at most. */
const POLL_MS = 200;
const MAX_IN_FLIGHT = 16;

/**
 * Webhooks through an outbox in Redis: enqueue() records each (alert revision, endpoint) once, in
 * the same batch that updated the alert store, and a poller sends what is due with exponential
 * backoff and jitter up to ALERTING_WEBHOOK_MAX_ATTEMPTS. A claimed delivery is leased, not
 * removed: if the instance dies, another (or the restarted one) sends it when the lease ends, so
 * pending retries survive a restart and every accepted alert revision is paged; receivers
 * deduplicate by X-Vigil-Alert-Id + X-Vigil-Alert-Revision (at-least-once, exactly once in
 * effect). Bounded by ALERTING_WEBHOOK_QUEUE_LIMIT (beyond it: dropped and counted; the alert
 * stays on fraud.alerts, the source of truth). Hand-written (~100 lines over fetch and three Lua
 * scripts): a job-queue library (BullMQ) would bring a second Redis data model for one queue.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly keys: [string, string, string];
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AlertingConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    redisKeys: RedisKeys,
  ) {
    const base = `${redisKeys.global('alerting')}:webhooks`;
    this.keys = [base, `${base}:bodies`, `${base}:seen`];
  }

  onModuleInit(): void {
    defineScripts(this.redis, [
      { name: 'alertingOutboxEnqueue', lua: OUTBOX_ENQUEUE_LUA },
      { name: 'alertingOutboxClaim', lua: OUTBOX_CLAIM_LUA },
      { name: 'alertingOutboxSettle', lua: OUTBOX_SETTLE_LUA },
    ]);
  }

  onApplicationBootstrap(): void {
    if (this.config.ALERTING_WEBHOOK_URLS.length > 0) this.schedulePoll(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // in-flight sends end within the timeout; what is not settled is due again after its lease
    await Promise.allSettled([...this.inFlight]);
  }

  /** Records the deliveries of these alert revisions (idempotent: a repeat of a revision is ignored). Rejects when Redis is down. */
  async enqueue(alerts: FraudAlert[]): Promise<void> {
    if (this.config.ALERTING_WEBHOOK_URLS.length === 0) return;
    const due = alerts.filter((a) => severityRank(a.severity) >= severityRank(this.config.ALERTING_WEBHOOK_MIN_SEVERITY));
    if (due.length === 0) return;
    const pairs = due.flatMap((alert) => {
      const body = JSON.stringify(alert);
      return this.config.ALERTING_WEBHOOK_URLS.flatMap((url) => {
        const delivery: Delivery = { url, body, alertId: alert.alertId, revision: alert.revision, attempt: 1 };
        return [deliveryId(delivery), JSON.stringify(delivery)];
      });
    });
    const [, dropped] = await runScript<[number, number]>(this.redis, 'alertingOutboxEnqueue', this.keys, [
      Date.now(),
      this.config.ALERTING_WEBHOOK_QUEUE_LIMIT,
      this.config.ALERTING_RETENTION_MS,
      ...pairs,
    ]);
    this.kick();
    if (dropped > 0) {
      deliveries.inc({ outcome: 'dropped_queue_full' }, dropped);
      this.logger.warn(`webhook outbox full (${this.config.ALERTING_WEBHOOK_QUEUE_LIMIT}): dropped ${dropped} delivery(ies)`);
    }
  }

  private schedulePoll(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.polling = true;
      void this.poll().finally(() => {
        this.polling = false;
        this.schedulePoll(POLL_MS);
      });
    }, delayMs);
  }

  /** New deliveries: poll now rather than at the next tick (first attempts go out at once). */
  private kick(): void {
    if (this.closed || this.polling || !this.timer) return;
    clearTimeout(this.timer);
    this.schedulePoll(0);
  }

  private async poll(): Promise<void> {
    try {
      queueDepth.set(await this.redis.zcard(this.keys[0]));
      const room = MAX_IN_FLIGHT - this.inFlight.size;
      if (room <= 0) return;
      const lease = this.config.ALERTING_WEBHOOK_TIMEOUT_MS + 5_000;
      const flat = await runScript<string[]>(this.redis, 'alertingOutboxClaim', this.keys, [Date.now(), lease, room]);
      for (let i = 0; i < flat.length; i += 2) {
        const id = flat[i];
        const run = this.attempt(id, JSON.parse(flat[i + 1]) as Delivery).catch((error: unknown) =>
          // Redis down while settling: the lease ends and the delivery is due again
          this.logger.warn(`webhook ${id} not settled (${(error as Error).message}); due again after its lease`),
        );
        this.inFlight.add(run);
        void run.finally(() => this.inFlight.delete(run));
      }
    } catch (error) {
      this.logger.warn(`webhook outbox poll failed: ${(error as Error).message}`);
    }
  }

  private async attempt(id: string, d: Delivery): Promise<void> {
    let failure: string;
    try {
      const response = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signPayload(this.config.ALERTING_WEBHOOK_SECRET, d.body),
          'x-vigil-alert-id': d.alertId,
          'x-vigil-alert-revision': String(d.revision),
          'x-vigil-delivery-attempt': String(d.attempt),
        },
        body: d.body,
        signal: AbortSignal.timeout(this.config.ALERTING_WEBHOOK_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (response.ok) {
        deliveries.inc({ outcome: 'delivered' });
        return this.settle(id);
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = (error as Error).message;
    }
    if (d.attempt >= this.config.ALERTING_WEBHOOK_MAX_ATTEMPTS) {
      deliveries.inc({ outcome: 'gave_up' });
      this.logger.error(`webhook ${safeUrl(d.url)} gave up on ${d.alertId} r${d.revision} after ${d.attempt} attempts: ${failure}`);
      return this.settle(id);
    }
    deliveries.inc({ outcome: 'failed_attempt' });
    const base = Math.min(60_000, this.config.ALERTING_WEBHOOK_BACKOFF_MS * 2 ** (d.attempt - 1));
    this.logger.warn(`webhook ${safeUrl(d.url)} attempt ${d.attempt} for ${d.alertId} failed (${failure}), retrying`);
    await this.settle(id, Date.now() + base / 2 + Math.random() * (base / 2), { ...d, attempt: d.attempt + 1 });
  }

  private async settle(id: string, dueAt?: number, next?: Delivery): Promise<void> {
    await runScript(this.redis, 'alertingOutboxSettle', this.keys.slice(0, 2), next ? [id, Math.round(dueAt!), JSON.stringify(next)] : [id]);
  }
}

/** One delivery per alert revision and endpoint (the URL as a digest: it may carry a credential). */
function deliveryId(d: Pick<Delivery, 'alertId' | 'revision' | 'url'>): string {
  return `${d.alertId}:r${d.revision}:${createHash('sha256').update(d.url).digest('hex').slice(0, 12)}`;
}
