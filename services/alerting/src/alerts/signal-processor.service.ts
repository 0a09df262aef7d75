import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { decodeContractMessage, FraudAlert, FraudSignal, SIGNAL_SCHEMA, TopicNames, validateMessage } from '@vigil/contracts';
import { BatchConsumerFactory, BatchConsumerRunner, DecodedMessage, InboundMessage, MESSAGE_PUBLISHER, MessagePublisher, Decoded } from '@vigil/kafka';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';
import { WebhookDispatcher } from '../webhooks/webhook.dispatcher';
import { AlertView, toFraudAlert } from './alert-document';
import { AlertFeed } from './alert-feed';
import { AlertStore } from './alert-store';
import { alertsTotal, eventToAlertSeconds, signalsTotal } from './alerting.metrics';

/** Decodes a JSON contract message (signals, decisions); one carrying `schema` was validated by its producer. */
export function jsonDecoder<T extends object>(cls: new () => T, schema: string | null = null): (m: InboundMessage) => Decoded<T> {
  return (message) => decodeContractMessage(cls, schema, message);
}

/** Consumes fraud.signals, folds them into alerts in Redis, publishes every alert revision. */
@Injectable()
export class SignalProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(SignalProcessor.name);
  readonly runner: BatchConsumerRunner<FraudSignal>;

  constructor(
    consumers: BatchConsumerFactory,
    @Inject(SERVICE_CONFIG) config: AlertingConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    private readonly store: AlertStore,
    private readonly feed: AlertFeed,
    private readonly webhooks: WebhookDispatcher,
  ) {
    this.runner = consumers.create<FraudSignal>({
      groupId: consumerGroupId(config, 'alerting-signals'),
      topics: [topics.signals],
      deadLetterTopic: topics.deadLetter,
      fromBeginning: true,
      decode: jsonDecoder(FraudSignal, SIGNAL_SCHEMA),
      handle: (messages) => this.handle(messages),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async handle(messages: DecodedMessage<FraudSignal>[]): Promise<void> {
    const signals = messages.map((m) => m.value);
    this.feed.count('signals', signals.length);
    const enforced = signals.filter((s) => s.mode === 'enforce');
    for (const s of signals) if (s.mode === 'shadow') signalsTotal.inc({ rule: s.ruleId, mode: s.mode, outcome: 'shadow' });
    const mutedRules = await this.store.snoozedRules([...new Set(enforced.map((s) => s.ruleId))]);
    const live = enforced.filter((s) => {
      if (!mutedRules.has(s.ruleId)) return true;
      signalsTotal.inc({ rule: s.ruleId, mode: s.mode, outcome: 'snoozed' });
      return false;
    });
    const outcomes = await this.store.applySignals(live);

    // Only the latest revision of each alert in this batch is published (it contains the others).
    const latest = new Map<string, { alert: AlertView; action: string; signals: FraudSignal[] }>();
    outcomes.forEach((outcome, i) => {
      const signal = live[i];
      signalsTotal.inc({ rule: signal.ruleId, mode: signal.mode, outcome: outcome.action });
      if (outcome.action === 'snoozed') return;
      const entry = latest.get(outcome.alert.alertId);
      const action = entry?.action === 'created' ? 'created' : outcome.action;
      if (!entry || outcome.alert.revision >= entry.alert.revision) {
        latest.set(outcome.alert.alertId, { alert: outcome.alert, action, signals: [...(entry?.signals ?? []), signal] });
      } else entry.signals.push(signal);
    });
    if (latest.size === 0) return;

    const alerts: FraudAlert[] = [];
    for (const { alert } of latest.values()) {
      const contract = toFraudAlert(alert);
      const check = validateMessage(FraudAlert, contract);
      if (!check.ok) throw new Error(`alert ${alert.alertId} fails the FraudAlert contract: ${JSON.stringify(check.errors)}`);
      alerts.push(contract);
    }
    // A redelivered batch (duplicates) republishes the current revision: consumers keep the highest.
    await this.publisher.publish(
      alerts.map((a) => ({ topic: this.topics.alerts, key: `${a.subject.tenantId}:${a.subject.type}:${a.subject.id}`, value: JSON.stringify(a) })),
    );
    // The outbox: every revision the store accepted is paged, also when this batch is a
    // redelivery after a failure downstream of the store (its signals are then 'duplicate').
    await this.webhooks.enqueue(alerts);
    const now = Date.now();
    for (const { alert, action, signals: contributing } of latest.values()) {
      // the live feed shows every revision (the page keeps the highest), the metrics count each once
      this.feed.publish({ kind: 'alert', alert, atMs: now });
      if (action === 'duplicate') continue;
      this.feed.count('alerts', 1);
      alertsTotal.inc({ tenant: alert.subject.tenantId, rule: contributing[contributing.length - 1].ruleId, severity: alert.severity, action });
      for (const s of contributing) eventToAlertSeconds.observe(Math.max(0, (now - Date.parse(s.occurredAt)) / 1000));
    }
    this.logger.debug(`published ${alerts.length} alert revision(s) from ${signals.length} signal(s)`);
  }
}
