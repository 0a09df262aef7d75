import { INestApplication } from '@nestjs/common';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { FraudSignal, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { REDIS_CLIENT } from '@vigil/redis';
import { guardScriptKeys, KeyGuardLog, startTestApp, testConfig, uniqueId, waitFor } from '@vigil/testing';
import Redis from 'ioredis';
import { testSignal } from '../../test-support/signals';
import { AlertStore } from '../alerts/alert-store';
import { APPLY_DECISION_LUA, APPLY_SIGNAL_LUA, INDEX_ALERTS_LUA, INDEX_SEARCH_LUA } from '../alerts/alert-store.lua';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';
import { OUTBOX_CLAIM_LUA, OUTBOX_ENQUEUE_LUA, OUTBOX_SETTLE_LUA } from './webhook-outbox.lua';

// Every script of the app runs under the Lua key guard (@vigil/testing) once the app is up.
const SCRIPTS = [
  { name: 'alertingOutboxEnqueue', lua: OUTBOX_ENQUEUE_LUA },
  { name: 'alertingOutboxClaim', lua: OUTBOX_CLAIM_LUA },
  { name: 'alertingOutboxSettle', lua: OUTBOX_SETTLE_LUA },
  { name: 'alertingApplySignal', lua: APPLY_SIGNAL_LUA },
  { name: 'alertingApplyDecision', lua: APPLY_DECISION_LUA },
  { name: 'alertingIndex', lua: INDEX_ALERTS_LUA },
  { name: 'alertingSearchIndex', lua: INDEX_SEARCH_LUA },
];

interface Call {
  alertId: string;
  revision: string;
  attempt: string;
  status: number;
}

/** A receiver that answers `status()` and records every call. */
async function receiver(status: () => number) {
  const calls: Call[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const code = status();
      calls.push({ alertId: String(req.headers['x-vigil-alert-id']), revision: String(req.headers['x-vigil-alert-revision']), attempt: String(req.headers['x-vigil-delivery-attempt']), status: code });
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, calls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

/** The webhook outbox on the real stack: every accepted revision is paged, retries survive a restart. */
describe('webhook outbox (real Kafka and Redis)', () => {
  let publisher: KafkaPublisher;
  const servers: Server[] = [];
  const apps: INestApplication[] = [];
  const guard = new KeyGuardLog();
  const start = async (config: AlertingConfig) => {
    const app = await startTestApp(AppModule.register(config), config);
    apps.push(app);
    const client: unknown = app.get(REDIS_CLIENT);
    if (!(client instanceof Redis)) throw new Error('the test stack Redis is a standalone server');
    // redefined guarded: later calls (and pipelines) of the app use the guarded scripts
    guardScriptKeys(client, SCRIPTS, guard);
    return app;
  };
  const send = (config: AlertingConfig, signals: FraudSignal[]) =>
    publisher.publish(signals.map((s) => ({ topic: topicNames(config.VIGIL_TOPIC_PREFIX).signals, key: s.subject.id, value: JSON.stringify(s) })));

  beforeAll(() => {
    publisher = new KafkaPublisher(createKafka(testConfig(AlertingConfig, {}).KAFKA_BROKERS, 'webhook-outbox-spec'));
  });
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    for (const s of servers) s.close();
    await publisher?.disconnect();
  });

  it('pages an alert the store accepted even when its batch comes back as a duplicate (failure after the store update)', async () => {
    const hook = await receiver(() => 204);
    servers.push(hook.server);
    const config = testConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: 'outbox-token', ALERTING_WEBHOOK_URLS: hook.url, ALERTING_WEBHOOK_SECRET: 'outbox-secret-0123456789' });
    const app = await start(config);
    const signal = testSignal({ ruleId: 'card-testing', subjectId: uniqueId('acc'), severity: 'critical' });
    // The store accepted the signal, then the batch failed (e.g. the fraud.alerts publish): nothing was paged.
    const [accepted] = await app.get(AlertStore).applySignals([signal]);
    expect(accepted.action).toBe('created');
    // The redelivered batch finds the signal a duplicate, and still pages the alert, once.
    await send(config, [signal, signal]);
    const call = await waitFor('the webhook call', () => hook.calls.find((c) => c.status === 204), 20_000);
    expect(call.revision).toBe('1');
    await send(config, [signal]); // a third delivery of the batch
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(hook.calls.filter((c) => c.alertId === call.alertId)).toHaveLength(1);
  });

  it('keeps a pending retry across a restart: the next instance delivers it', async () => {
    let up = false;
    const hook = await receiver(() => (up ? 204 : 503));
    servers.push(hook.server);
    const config = testConfig(AlertingConfig, {
      ALERTING_DASHBOARD_TOKEN: 'outbox-token',
      ALERTING_WEBHOOK_URLS: hook.url,
      ALERTING_WEBHOOK_SECRET: 'outbox-secret-0123456789',
      ALERTING_WEBHOOK_BACKOFF_MS: '3000',
    });
    const first = await start(config);
    const signal = testSignal({ ruleId: 'wallet-drain', subjectId: uniqueId('wallet'), subjectType: 'wallet', severity: 'critical' });
    await send(config, [signal]);
    await waitFor('the first, failed attempt', () => hook.calls.some((c) => c.attempt === '1' && c.status === 503), 20_000);
    await first.close(); // the retry is due in 1.5-3 s: it must not die with the process
    const beforeRestart = hook.calls.length;
    up = true;
    await start(config);
    const delivered = await waitFor('the retry from the new instance', () => hook.calls.find((c) => c.status === 204), 20_000);
    expect(hook.calls.indexOf(delivered)).toBeGreaterThanOrEqual(beforeRestart);
    expect(delivered.revision).toBe('1');
    expect(Number(delivered.attempt)).toBeGreaterThanOrEqual(2);
    expect(hook.calls.filter((c) => c.status === 204)).toHaveLength(1);
  });

  it('declared every key its scripts touched, each call within one slot', () => {
    for (const name of ['alertingOutboxEnqueue', 'alertingOutboxClaim', 'alertingOutboxSettle', 'alertingApplySignal']) {
      expect(guard.count(name)).toBeGreaterThan(0);
    }
    expect(guard.crossSlotCalls()).toEqual([]);
  });
});
