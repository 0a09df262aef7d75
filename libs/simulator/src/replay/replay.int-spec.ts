import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { topicNames } from '@vigil/contracts';
import { createKafka } from '@vigil/kafka';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { AppModule } from '../../../../services/ingestion/src/app.module';
import { IngestionConfig } from '../../../../services/ingestion/src/config';
import { simulate } from '../generator/simulate';
import { AlertCollector } from './alert-collector';
import { sendEvents, SendProgress } from './event-sender';

describe('replay against the real ingestion service and Kafka', () => {
  let app: INestApplication;
  let config: IngestionConfig;
  const tenant = 'tenant-sim';

  beforeAll(async () => {
    config = testConfig(IngestionConfig, { INGESTION_API_KEYS: `${tenant}:replay-key:replay-secret`, INGESTION_MAX_BATCH_EVENTS: '500' });
    app = await startTestApp(AppModule.register(config), config);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sends every simulated event in signed batches; a second replay is all duplicates', async () => {
    const { events } = simulate({ seed: 5, minutes: 12, tenantId: tenant });
    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    const probe = await TopicProbe.start<{ id: string }>(testStack().brokers, Object.values(topics.events));
    try {
      const progress: SendProgress[] = [];
      const options = { url: appUrl(app), apiKey: 'replay-key', secret: 'replay-secret', batchSize: 200, rate: 'max' as const, onProgress: (p: SendProgress) => progress.push(p) };
      const first = await sendEvents(events, options);
      expect(first).toMatchObject({ sent: events.length, accepted: events.length, duplicates: 0, rejected: 0 });
      expect(progress.length).toBe(Math.ceil(events.length / 200));
      const ids = new Set(events.map((e) => e.id));
      await probe.waitFor(events.length, (m) => ids.has(m.value.id));

      const second = await sendEvents(events, options);
      expect(second).toMatchObject({ accepted: 0, duplicates: events.length });
    } finally {
      await probe.stop();
    }
  });

  it('stops with the reason when ingestion refuses the key', async () => {
    const { events } = simulate({ seed: 5, minutes: 1, tenantId: tenant });
    await expect(sendEvents(events, { url: appUrl(app), apiKey: 'wrong', batchSize: 500, rate: 'max' })).rejects.toMatchObject({ name: 'VigilRequestError', status: 401 });
  });

  it('paces sending to the requested rate', async () => {
    const { events } = simulate({ seed: 6, minutes: 3, tenantId: tenant });
    const batch = events.slice(0, 300);
    let requests = 0;
    const result = await sendEvents(batch, { url: appUrl(app), apiKey: 'replay-key', secret: 'replay-secret', batchSize: 500, rate: 400, onProgress: () => requests++ });
    // 400 events/s: batches shrink to 100 events, due at 0, 250 and 500 ms.
    expect(requests).toBe(3);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(490);
    expect(result.accepted).toBe(300);
  });
});

describe('AlertCollector', () => {
  it('collects only what is published to the topic after it started', async () => {
    const topic = `${uniqueId('replay')}.fraud.alerts`;
    const kafka = createKafka(testStack().brokers, 'replay-test', { quiet: true });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    const outPath = join(tmpdir(), `${uniqueId('alerts')}.ndjson`);
    const collector = new AlertCollector({ brokers: testStack().brokers, topic, outPath });
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await producer.send({ topic, messages: [{ key: 'a', value: JSON.stringify({ alertId: 'before-run' }) }] });
      await collector.start();
      const after = ['al-1', 'al-2', 'al-3'].map((alertId, i) => ({ key: `k${i}`, value: JSON.stringify({ alertId }) }));
      await producer.send({ topic, messages: after });
      await waitFor('three alerts collected', () => collector.collected === 3);
      expect(collector.lastArrivalMs).toBeGreaterThan(0);
    } finally {
      await collector.stop();
      await admin.deleteTopics({ topics: [topic] });
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
    const lines = readFileSync(outPath, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { alertId: string }).alertId);
    expect(lines.sort()).toEqual(['al-1', 'al-2', 'al-3']);
  });
});
