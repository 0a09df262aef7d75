import { INestApplication } from '@nestjs/common';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AlertDecision, FraudAlert, FraudSignal, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { appUrl, startTestApp, testConfig, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';
import { verifyPayloadSignature } from '@vigil/signature';
import { AlertView } from './alert-document';

const TOKEN = 'test-dashboard-token';
const SECRET = 'webhook-secret-for-tests';

interface Received {
  body: string;
  signature: string;
  attempt: number;
}

/** A webhook receiver that fails the first `failFirst` attempts of each alert revision. */
async function webhookReceiver(failFirst: number) {
  const received: Received[] = [];
  const attemptsPerRevision = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = `${req.headers['x-vigil-alert-id']}:${req.headers['x-vigil-alert-revision']}`;
      const n = (attemptsPerRevision.get(key) ?? 0) + 1;
      attemptsPerRevision.set(key, n);
      if (n <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['x-vigil-signature']), attempt: n });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

describe('alerting service (real Kafka and Redis)', () => {
  let config: AlertingConfig;
  let app: INestApplication;
  let probe: TopicProbe<FraudAlert | AlertDecision>;
  let publisher: KafkaPublisher;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  const topics = () => topicNames(config.VIGIL_TOPIC_PREFIX);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${appUrl(app)}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  const send = (signals: FraudSignal[]) =>
    publisher.publish(signals.map((s) => ({ topic: topics().signals, key: `${s.subject.type}:${s.subject.id}`, value: JSON.stringify(s) })));
  const alertsAbout = (subjectId: string) =>
    probe.messages.filter((m) => m.topic === topics().alerts && (m.value as FraudAlert).subject?.id === subjectId).map((m) => m.value as FraudAlert);
  const metrics = async () => (await fetch(`${appUrl(app)}/metrics`)).text();

  beforeAll(async () => {
    receiver = await webhookReceiver(2);
    config = testConfig(AlertingConfig, {
      ALERTING_DASHBOARD_TOKEN: TOKEN,
      ALERTING_WEBHOOK_URLS: receiver.url,
      ALERTING_WEBHOOK_SECRET: SECRET,
      ALERTING_WEBHOOK_MIN_SEVERITY: 'high',
      ALERTING_WEBHOOK_BACKOFF_MS: '20',
      ALERTING_COOLDOWN_MS: String(10 * 60_000),
      ALERTING_WINDOW_MS: String(60 * 60_000),
    });
    app = await startTestApp(AppModule.register(config), config);
    publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'alerting-int-spec'));
    probe = await TopicProbe.start(config.KAFKA_BROKERS, [topics().alerts, topics().decisions]);
  });

  afterAll(async () => {
    await probe?.stop();
    await publisher?.disconnect();
    await app?.close();
    receiver?.server.close();
  });

  it('combines signals of different rules about one subject into one alert whose score rises', async () => {
    const subjectId = uniqueId('acc');
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    await send([testSignal({ ruleId: 'card-testing', subjectId, occurredAt: at(0) })]);
    const [first] = await probe.waitFor(1, (m) => (m.value as FraudAlert).subject?.id === subjectId);
    expect((first.value as FraudAlert).score).toBe(60);
    expect(first.key).toBe(`demo-market:account:${subjectId}`);

    await send([
      testSignal({ ruleId: 'new-device-login', subjectId, occurredAt: at(10) }),
      testSignal({ ruleId: 'payout-change', subjectId, occurredAt: at(20) }),
    ]);
    await waitFor('score 93.6', () => alertsAbout(subjectId).find((a) => a.score === 93.6));
    const alerts = alertsAbout(subjectId);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(1);
    const last = alerts.find((a) => a.score === 93.6)!;
    expect(last.severity).toBe('critical');
    expect(last.revision).toBe(3);
    expect(last.signals.map((s) => s.ruleId)).toEqual(['card-testing', 'new-device-login', 'payout-change']);
    expect(last.signals[0].triggeringEvents[0].type).toBe('order.placed');
    expect(last.firstSeenAt).toBe(at(0));
    expect(last.lastSeenAt).toBe(at(20));
    expect(last.summary).toContain('from 3 rules over 3 signals');
  });

  it('updates the open alert on a repeat within the cooldown, ignores redelivered and shadow signals', async () => {
    const subjectId = uniqueId('seller');
    const t0 = Date.now() - 120_000;
    const first = testSignal({ ruleId: 'listing-burst', subjectId, subjectType: 'seller', occurredAt: new Date(t0).toISOString() });
    await send([first]);
    await waitFor('first alert', () => alertsAbout(subjectId)[0]);
    const repeat = testSignal({ ruleId: 'listing-burst', subjectId, subjectType: 'seller', occurredAt: new Date(t0 + 5 * 60_000).toISOString() });
    const shadow = testSignal({ ruleId: 'experimental', subjectId, subjectType: 'seller', mode: 'shadow', severity: 'critical' });
    await send([repeat, first, shadow]); // first again = a redelivery (same signalId)
    const updated = await waitFor('revision 2', () => alertsAbout(subjectId).find((a) => a.revision === 2));
    expect(updated.alertId).toBe(alertsAbout(subjectId)[0].alertId);
    expect(updated.score).toBe(60); // a repeat of the same rule does not compound
    expect(updated.signals.map((s) => s.signalId)).toEqual([first.signalId, repeat.signalId]);

    // After the cooldown (event time), the same rule opens a new alert.
    await send([testSignal({ ruleId: 'listing-burst', subjectId, subjectType: 'seller', occurredAt: new Date(t0 + 20 * 60_000).toISOString() })]);
    await waitFor('a second alert', () => new Set(alertsAbout(subjectId).map((a) => a.alertId)).size === 2);
    expect(alertsAbout(subjectId).every((a) => a.revision <= 2 && a.signals.every((s) => s.mode === 'enforce'))).toBe(true);
    const text = await metrics();
    expect(text).toMatch(/vigil_alerting_signals_total\{rule="listing-burst",mode="enforce",outcome="duplicate"[^}]*\} 1/);
    expect(text).toMatch(/vigil_alerting_signals_total\{rule="experimental",mode="shadow",outcome="shadow"[^}]*\} 1/);
  });

  it('delivers signed webhooks, retrying when the receiver fails', async () => {
    const subjectId = uniqueId('wallet');
    await send([testSignal({ ruleId: 'wallet-drain', subjectId, subjectType: 'wallet', severity: 'critical' })]);
    const delivery = await waitFor('a webhook delivery', () => receiver.received.find((r) => r.body.includes(subjectId)), 15_000);
    expect(delivery.attempt).toBe(3);
    expect(verifyPayloadSignature(SECRET, delivery.body, delivery.signature)).toEqual({ ok: true });
    expect(verifyPayloadSignature('wrong', delivery.body, delivery.signature)).toEqual({ ok: false, reason: 'mismatch' });
    expect((JSON.parse(delivery.body) as FraudAlert).severity).toBe('critical');
    expect(await metrics()).toMatch(/vigil_alerting_webhook_deliveries_total\{outcome="failed_attempt"[^}]*\} [2-9]/);
  });

  it('mutes a snoozed rule for one subject', async () => {
    const subjectId = uniqueId('acc');
    const subject = { type: 'account', id: subjectId, tenantId: 'demo-market' };
    const snooze = await api('/v1/snoozes', { method: 'POST', body: JSON.stringify({ ruleId: 'muted-rule', until: new Date(Date.now() + 60_000).toISOString(), subject, reason: 'known tester' }) });
    expect(snooze.status).toBe(201);
    await send([testSignal({ ruleId: 'muted-rule', subjectId }), testSignal({ ruleId: 'loud-rule', subjectId, severity: 'low' })]);
    const alert = await waitFor('the unmuted alert', () => alertsAbout(subjectId)[0]);
    expect(alert.signals.map((s) => s.ruleId)).toEqual(['loud-rule']);
    expect(await metrics()).toMatch(/vigil_alerting_signals_total\{rule="muted-rule",mode="enforce",outcome="snoozed"[^}]*\} 1/);
  });

  it('rejects the API without the token and bad decisions with field errors', async () => {
    expect((await fetch(`${appUrl(app)}/v1/alerts`)).status).toBe(401);
    const bad = await api('/v1/alerts/whatever/decisions', { method: 'POST', body: JSON.stringify({ decision: 'maybe' }) });
    expect(bad.status).toBe(400);
  });

  it('applies decisions from the decisions topic and counts false positives per rule, and keeps state over a restart', async () => {
    const subjectId = uniqueId('listing');
    await send([testSignal({ ruleId: 'fp-prone', subjectId, subjectType: 'listing' })]);
    const alert = await waitFor('alert', () => alertsAbout(subjectId)[0]);

    const response = await api(`/v1/alerts/${alert.alertId}/decisions`, {
      method: 'POST',
      body: JSON.stringify({ decision: 'false_positive', comment: 'seasonal sale' }),
    });
    expect(response.status).toBe(202);
    const published = await probe.waitFor(1, (m) => m.topic === topics().decisions && (m.value as AlertDecision).alertId === alert.alertId);
    // recorded under the authenticated user: the shared ALERTING_DASHBOARD_TOKEN is the admin "dashboard"
    expect(published[0].value).toMatchObject({ decision: 'false_positive', analyst: 'dashboard', comment: 'seasonal sale' });

    const decided = await waitFor('status false_positive', async () => {
      const view = (await (await api(`/v1/alerts/${alert.alertId}`)).json()) as AlertView;
      return view.status === 'false_positive' && view;
    });
    expect(decided.decisions).toHaveLength(1);
    const stats = (await (await api('/v1/stats')).json()) as { rules: Record<string, { falsePositiveRate: number; false_positive: number }> };
    expect(stats.rules['fp-prone']).toMatchObject({ false_positive: 1, falsePositiveRate: 1 });
    expect(await metrics()).toMatch(/vigil_alerting_decisions_total\{rule="fp-prone",decision="false_positive"[^}]*\} 1/);
    expect(await metrics()).toMatch(/vigil_alerting_alert_to_first_decision_seconds_count[^ ]* [1-9]/);

    const filtered = (await (await api('/v1/alerts?status=false_positive&subjectType=listing')).json()) as { alerts: AlertView[] };
    expect(filtered.alerts.map((a) => a.alertId)).toContain(alert.alertId);

    // Restart: a new app with the same config reads the same state.
    await app.close();
    app = await startTestApp(AppModule.register(config), config);
    const after = (await (await api('/v1/alerts?limit=500')).json()) as { alerts: AlertView[] };
    expect(after.alerts.find((a) => a.alertId === alert.alertId)?.status).toBe('false_positive');
    expect(after.alerts.length).toBeGreaterThanOrEqual(5);
  });
});
