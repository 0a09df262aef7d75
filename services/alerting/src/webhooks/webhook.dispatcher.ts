import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { FraudAlert } from '@vigil/contracts';
import { counter, gauge, safeUrl } from '@vigil/observability';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';
import { severityRank } from '../scoring/scoring';
import { SIGNATURE_HEADER, signPayload } from '@vigil/signature';

const deliveries = counter({
  name: 'vigil_alerting_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome (delivered, failed_attempt, gave_up, dropped_queue_full)',
  labelNames: ['outcome'],
});
const queueDepth = gauge({ name: 'vigil_alerting_webhook_queue_depth', help: 'Webhook deliveries waiting or in flight' });

interface Delivery {
  url: string;
  body: string;
  alertId: string;
  revision: number;
  attempt: number;
}

/**
 * Sends alerts to the configured endpoints without ever blocking the pipeline: enqueue() is
 * synchronous and bounded (ALERTING_WEBHOOK_QUEUE_LIMIT); when full, the delivery is dropped
 * and counted (receivers can reconcile from the fraud.alerts topic, the source of truth).
 * Failures are retried with exponential backoff and jitter up to MAX_ATTEMPTS. Written by
 * hand because it is ~80 lines over fetch; a job-queue library would add a second store.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private pending = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: AlertingConfig) {}

  enqueue(alert: FraudAlert): void {
    if (this.config.ALERTING_WEBHOOK_URLS.length === 0) return;
    if (severityRank(alert.severity) < severityRank(this.config.ALERTING_WEBHOOK_MIN_SEVERITY)) return;
    const body = JSON.stringify(alert);
    for (const url of this.config.ALERTING_WEBHOOK_URLS) {
      if (this.pending >= this.config.ALERTING_WEBHOOK_QUEUE_LIMIT) {
        deliveries.inc({ outcome: 'dropped_queue_full' });
        this.logger.warn(`webhook queue full (${this.pending}): dropped ${alert.alertId} r${alert.revision} for ${safeUrl(url)}`);
        continue;
      }
      this.pending++;
      queueDepth.set(this.pending);
      this.schedule({ url, body, alertId: alert.alertId, revision: alert.revision, attempt: 1 }, 0);
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(delivery);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(d: Delivery): Promise<void> {
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
        return this.done();
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = (error as Error).message;
    }
    if (d.attempt >= this.config.ALERTING_WEBHOOK_MAX_ATTEMPTS) {
      deliveries.inc({ outcome: 'gave_up' });
      this.logger.error(`webhook ${safeUrl(d.url)} gave up on ${d.alertId} r${d.revision} after ${d.attempt} attempts: ${failure}`);
      return this.done();
    }
    deliveries.inc({ outcome: 'failed_attempt' });
    const base = Math.min(60_000, this.config.ALERTING_WEBHOOK_BACKOFF_MS * 2 ** (d.attempt - 1));
    this.logger.warn(`webhook ${safeUrl(d.url)} attempt ${d.attempt} for ${d.alertId} failed (${failure}), retrying`);
    this.schedule({ ...d, attempt: d.attempt + 1 }, base / 2 + Math.random() * (base / 2));
  }

  private done(): void {
    this.pending--;
    queueDepth.set(this.pending);
  }
}
