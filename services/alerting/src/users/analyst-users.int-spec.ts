import { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlertDecision, FraudSignal, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { appUrl, startTestApp, testConfig, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AlertView } from '../alerts/alert-document';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';

const ROOT = path.resolve(__dirname, '../../../..');

/** Issues a token with the real admin command (npm run alerting:user) and returns it. */
function issue(file: string, name: string, role: string, tenants: string): string {
  const out = execFileSync(process.execPath, ['-r', '@swc-node/register', 'services/alerting/src/users/users.cli.ts', '--file', file, '--name', name, '--role', role, '--tenants', tenants], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
    encoding: 'utf8',
  });
  return out.trim().split('\n').pop()!;
}

/** Analysts with their own tokens, roles and tenants (real Kafka and Redis). */
describe('analyst identities', () => {
  let app: INestApplication;
  let config: AlertingConfig;
  let publisher: KafkaPublisher;
  let decisions: TopicProbe<AlertDecision>;
  const tokens: Record<string, string> = {};
  const as = (who: string, p: string, init: RequestInit = {}) =>
    fetch(`${appUrl(app)}${p}`, { ...init, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json', ...init.headers } });
  const json = async <T>(r: Response) => (await r.json()) as T;
  const send = (signals: FraudSignal[]) =>
    publisher.publish(signals.map((s) => ({ topic: topicNames(config.VIGIL_TOPIC_PREFIX).signals, key: s.subject.id, value: JSON.stringify(s) })));
  const a = uniqueId('acc');
  const b = uniqueId('acc');

  beforeAll(async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-users-')), 'users.yaml');
    tokens.ana = issue(file, 'ana', 'analyst', 'tenant-a');
    tokens.vic = issue(file, 'vic', 'viewer', 'tenant-a');
    tokens.bob = issue(file, 'bob', 'analyst', 'tenant-b');
    tokens.boss = issue(file, 'boss', 'admin', '*');
    config = testConfig(AlertingConfig, { ALERTING_USERS_FILE: file });
    app = await startTestApp(AppModule.register(config), config);
    publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'analyst-users-spec'));
    decisions = await TopicProbe.start(config.KAFKA_BROKERS, [topicNames(config.VIGIL_TOPIC_PREFIX).decisions]);
    await send([testSignal({ ruleId: 'card-testing', subjectId: a, tenantId: 'tenant-a' }), testSignal({ ruleId: 'card-testing', subjectId: b, tenantId: 'tenant-b' })]);
    await waitFor('both alerts', async () => (await json<{ alerts: AlertView[] }>(await as('boss', '/v1/alerts'))).alerts.filter((x) => [a, b].includes(x.subject.id)).length === 2);
  });
  afterAll(async () => {
    await decisions?.stop();
    await publisher?.disconnect();
    await app?.close();
  });

  it('shows each user only the alerts of their tenants', async () => {
    expect(await json(await as('ana', '/v1/me'))).toEqual({ name: 'ana', role: 'analyst', tenants: ['tenant-a'] });
    const anas = (await json<{ alerts: AlertView[] }>(await as('ana', '/v1/alerts'))).alerts;
    expect(anas.map((x) => x.subject.id)).toContain(a);
    expect(anas.every((x) => x.subject.tenantId === 'tenant-a')).toBe(true);
    const alertB = (await json<{ alerts: AlertView[] }>(await as('bob', '/v1/alerts'))).alerts.find((x) => x.subject.id === b)!;
    expect((await as('ana', `/v1/alerts/${alertB.alertId}`)).status).toBe(404);
    expect((await as('ana', '/v1/alerts?tenantId=tenant-b')).status).toBe(403);
    expect((await fetch(`${appUrl(app)}/v1/alerts`, { headers: { authorization: 'Bearer vat_forged' } })).status).toBe(401);
  });

  it('records a decision under the authenticated analyst, and lets roles and tenants gate the writes', async () => {
    const alertA = (await json<{ alerts: AlertView[] }>(await as('ana', '/v1/alerts'))).alerts.find((x) => x.subject.id === a)!;
    const decide = (who: string, body: object) => as(who, `/v1/alerts/${alertA.alertId}/decisions`, { method: 'POST', body: JSON.stringify(body) });
    expect((await decide('ana', { decision: 'confirmed_fraud', analyst: 'someone-else' })).status).toBe(400); // the name is not the caller's to choose
    expect((await decide('vic', { decision: 'confirmed_fraud' })).status).toBe(403); // a viewer
    expect((await decide('bob', { decision: 'confirmed_fraud' })).status).toBe(404); // another tenant's alert
    expect((await decide('ana', { decision: 'confirmed_fraud' })).status).toBe(202);
    const [published] = await decisions.waitFor(1, (m) => m.value.alertId === alertA.alertId);
    expect(published.value).toMatchObject({ decision: 'confirmed_fraud', analyst: 'ana' });

    await waitFor('ana sees her decision in the stats', async () => (await json<{ rules: Record<string, { confirmed_fraud: number }> }>(await as('ana', '/v1/stats'))).rules['card-testing']?.confirmed_fraud === 1);
    expect((await json<{ rules: Record<string, unknown> }>(await as('bob', '/v1/stats'))).rules['card-testing']).toBeUndefined();

    const until = new Date(Date.now() + 60_000).toISOString();
    expect((await as('ana', '/v1/snoozes', { method: 'POST', body: JSON.stringify({ ruleId: 'card-testing', until, reason: 'noisy' }) })).status).toBe(403); // not an admin
    expect((await as('boss', '/v1/snoozes', { method: 'POST', body: JSON.stringify({ ruleId: 'noisy-rule', until, reason: 'noisy' }) })).status).toBe(201);
  });
});
