/*
 * No secret and no client address in the logs (issue 14): captures every JSON log line of an
 * ingestion request (API key + body signature), authenticated dashboard and API requests (cookie
 * and bearer token) and webhook calls (one failed attempt is logged) on the real stack, and
 * looks for each secret in them.
 */
import { INestApplication } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exampleEvent, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { captureLogs } from '@vigil/observability';
import { signPayload } from '@vigil/signature';
import { appUrl, startTestApp, testConfig, uniqueId, waitFor } from '@vigil/testing';
import { AppModule as AlertingModule } from '../services/alerting/src/app.module';
import { AlertingConfig } from '../services/alerting/src/config';
import { testSignal } from '../services/alerting/test-support/signals';
import { AppModule as IngestionModule } from '../services/ingestion/src/app.module';
import { IngestionConfig } from '../services/ingestion/src/config';

const API_KEY = 'ingest-key-7f3a91c2';
const HMAC_SECRET = 'hmac-secret-55d0e1';
const DASHBOARD_TOKEN = 'dash-token-b81c44e9';
const WEBHOOK_SECRET = 'webhook-secret-0c9d2f';
const WEBHOOK_PATH_TOKEN = 'T0PSECRET-path-token';
const CLIENT_IP = '203.0.113.77';

describe('logs carry no secret and no client address', () => {
  const logs = captureLogs();
  let ingestion: INestApplication;
  let alerting: INestApplication;
  let publisher: KafkaPublisher;
  let hook: Server;
  let hookCalls = 0;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      hookCalls += 1;
      req.resume();
      req.on('end', () => res.writeHead(hookCalls === 1 ? 503 : 204).end()); // first attempt fails: logged
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/${WEBHOOK_PATH_TOKEN}?key=${WEBHOOK_PATH_TOKEN}`;
    const ingestionConfig = testConfig(IngestionConfig, { INGESTION_API_KEYS: `tenant-logs:${API_KEY}:${HMAC_SECRET}`, LOG_LEVEL: 'info' });
    const alertingConfig = testConfig(AlertingConfig, {
      ALERTING_DASHBOARD_TOKEN: DASHBOARD_TOKEN,
      ALERTING_WEBHOOK_URLS: hookUrl,
      ALERTING_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ALERTING_WEBHOOK_BACKOFF_MS: '20',
      LOG_LEVEL: 'info',
    });
    ingestion = await startTestApp(IngestionModule.register(ingestionConfig), ingestionConfig);
    alerting = await startTestApp(AlertingModule.register(alertingConfig), alertingConfig);
    publisher = new KafkaPublisher(createKafka(alertingConfig.KAFKA_BROKERS, 'log-safety-spec'));

    // ingestion: key, signature, a forwarded client address, a token in the query string
    const body = JSON.stringify(exampleEvent('account.login', { id: uniqueId('evt'), tenantId: 'tenant-logs' }));
    const ingest = await fetch(`${appUrl(ingestion)}/v1/events?token=${API_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'x-vigil-signature': signPayload(HMAC_SECRET, body), 'x-forwarded-for': CLIENT_IP },
      body,
    });
    expect(ingest.status).toBe(202);
    const denied = await fetch(`${appUrl(ingestion)}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': `${API_KEY}x` }, body });
    expect(denied.status).toBe(401);

    // dashboard and API: cookie and bearer token; a malformed cookie is a 401, not a 500
    const page = await fetch(`${appUrl(alerting)}/dashboard`, { headers: { cookie: `vigil_dashboard_token=${DASHBOARD_TOKEN}`, 'x-forwarded-for': CLIENT_IP } });
    expect(page.status).toBe(200);
    expect((await fetch(`${appUrl(alerting)}/v1/alerts`, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${appUrl(alerting)}/v1/alerts`, { headers: { cookie: 'vigil_dashboard_token=%E0%A4%A' } })).status).toBe(401);
    expect((await fetch(`${appUrl(alerting)}/v1/alerts`, { headers: { authorization: `Bearer ${'é'.repeat(DASHBOARD_TOKEN.length)}` } })).status).toBe(401);

    // webhook: a high-severity signal becomes an alert, the first delivery fails and is retried
    const signal = testSignal({ ruleId: 'card-testing', subjectId: uniqueId('acc'), severity: 'critical' });
    await publisher.publish([{ topic: topicNames(alertingConfig.VIGIL_TOPIC_PREFIX).signals, key: signal.subject.id, value: JSON.stringify(signal) }]);
    await waitFor('the webhook retried after a failed attempt', () => hookCalls >= 2, 30_000);
    // kafkajs' own warnings reach these lines (the services' kafkajs log routing), as a probe shows
    createKafka(alertingConfig.KAFKA_BROKERS, 'log-safety-probe').logger().warn('kafkajs warning probe');
  });

  afterAll(async () => {
    logs.stop();
    await publisher?.disconnect();
    await ingestion?.close();
    await alerting?.close();
    hook?.close();
  });

  it('logs the requests and the failed webhook attempt, with none of the secrets', () => {
    const text = logs.lines.join('');
    // the capture is real: request lines of both services and the webhook warning are in it
    expect(text).toMatch(/"path":"\/v1\/events".*"statusCode":202/);
    expect(text).toMatch(/"path":"\/dashboard"/);
    expect(text).toMatch(/webhook http:\/\/127\.0\.0\.1:\d+\/…#[0-9a-f]{8} attempt 1/);
    for (const secret of [API_KEY, HMAC_SECRET, DASHBOARD_TOKEN, WEBHOOK_SECRET, WEBHOOK_PATH_TOKEN, CLIENT_IP, ',v1=']) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(text).not.toMatch(/remoteAddress|"headers"|cookie|authorization/i);
  });

  it('logs no kafkajs start-up notice the publisher already acts on (issue 18)', () => {
    const text = logs.lines.join('');
    expect(text).toContain('kafkajs warning probe');
    // the publisher picks its partitioner explicitly and bounds its idempotent retries on purpose
    expect(text).not.toContain('KafkaJS v2.0.0 switched default partitioner');
    expect(text).not.toContain('Limiting retries for the idempotent producer may invalidate EoS guarantees');
  });
});
