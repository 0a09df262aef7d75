import { INestApplication } from '@nestjs/common';
import { AlertDecision, FraudSignal, topicNames } from '@vigil/contracts';
import { createKafka, DeadLetterRecord, KafkaPublisher } from '@vigil/kafka';
import { appUrl, startTestApp, testConfig, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';
import { AlertView } from './alert-document';

const TOKEN = 'index-test-token';

/** One tenant cannot push another's alerts out, and no decision is ever dropped (real Kafka and Redis). */
describe('alert index per tenant and decisions that find no alert', () => {
  let config: AlertingConfig;
  let app: INestApplication;
  let publisher: KafkaPublisher;
  let deadLetters: TopicProbe<DeadLetterRecord>;
  const topics = () => topicNames(config.VIGIL_TOPIC_PREFIX);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${appUrl(app)}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  const send = (signals: FraudSignal[]) =>
    publisher.publish(signals.map((s) => ({ topic: topics().signals, key: `${s.subject.type}:${s.subject.id}`, value: JSON.stringify(s) })));
  const list = async (query: string) => ((await (await api(`/v1/alerts?${query}`)).json()) as { alerts: AlertView[] }).alerts;

  beforeAll(async () => {
    config = testConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: TOKEN, ALERTING_INDEX_SIZE: '10' });
    app = await startTestApp(AppModule.register(config), config);
    publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'alert-index-spec'));
    deadLetters = await TopicProbe.start(config.KAFKA_BROKERS, [topics().deadLetter]);
  });
  afterAll(async () => {
    await deadLetters?.stop();
    await publisher?.disconnect();
    await app?.close();
  });

  it("keeps a quiet tenant's alert listed and decidable while a noisy tenant raises more than the index holds", async () => {
    const quiet = uniqueId('acc');
    await send([testSignal({ ruleId: 'card-testing', subjectId: quiet, tenantId: 'tenant-quiet' })]);
    await waitFor('the quiet tenant alert', async () => (await list('tenantId=tenant-quiet')).some((a) => a.subject.id === quiet));
    const noisy = Array.from({ length: 25 }, () => testSignal({ ruleId: 'card-testing', subjectId: uniqueId('acc'), tenantId: 'tenant-noisy' }));
    await send(noisy);
    await waitFor('the noisy tenant list full', async () => (await list('tenantId=tenant-noisy&limit=500')).length === 10);

    const [alert] = (await list('tenantId=tenant-quiet')).filter((a) => a.subject.id === quiet);
    expect(alert).toBeDefined();
    expect((await list('tenantId=tenant-noisy&limit=500')).every((a) => a.subject.tenantId === 'tenant-noisy')).toBe(true);
    // The decision on the quiet tenant's alert applies although 25 newer alerts came after it.
    expect((await api(`/v1/alerts/${alert.alertId}/decisions`, { method: 'POST', body: JSON.stringify({ decision: 'confirmed_fraud' }) })).status).toBe(202);
    await waitFor('decision applied', async () => ((await (await api(`/v1/alerts/${alert.alertId}`)).json()) as AlertView).status === 'confirmed_fraud');
    expect((await api('/v1/alerts?tenantId=bad tenant')).status).toBe(400);
  });

  it('dead-letters a decision whose alert is not in the read model, with the reason', async () => {
    const decision: AlertDecision = { decisionId: uniqueId('dec'), alertId: uniqueId('al-gone'), decision: 'false_positive', analyst: 'ana', decidedAt: new Date().toISOString() };
    await publisher.publish([{ topic: topics().decisions, key: decision.alertId, value: JSON.stringify(decision) }]);
    const [dead] = await deadLetters.waitFor(1, (m) => m.value.reason.includes(decision.alertId));
    expect(dead.value.reason).toMatch(new RegExp(`decision ${decision.decisionId} found no alert ${decision.alertId} in the read model`));
    expect(JSON.parse(dead.value.payload!)).toEqual(decision);
  });
});
