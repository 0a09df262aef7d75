import { INestApplication } from '@nestjs/common';
import { exampleEvent, topicNames } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId } from '@vigil/testing';
import { AppModule } from '../../../services/ingestion/src/app.module';
import { IngestionConfig } from '../../../services/ingestion/src/config';
import { VigilClient, VigilRequestError } from './vigil-client';

describe('VigilClient against the real ingestion service', () => {
  let app: INestApplication;
  let probe: TopicProbe<{ id: string }>;

  beforeAll(async () => {
    const config = testConfig(IngestionConfig, {
      INGESTION_API_KEYS: 'tenant-a:key-a:secret-a',
      INGESTION_RATE_LIMIT: '3',
      INGESTION_RATE_WINDOW_MS: '1000',
      LOG_LEVEL: 'error',
    });
    app = await startTestApp(AppModule.register(config), config);
    probe = await TopicProbe.start(testStack().brokers, Object.values(topicNames(config.VIGIL_TOPIC_PREFIX).events));
  });
  afterAll(async () => {
    await probe?.stop();
    await app?.close();
  });

  const client = (overrides: Partial<ConstructorParameters<typeof VigilClient>[0]> = {}) =>
    new VigilClient({ baseUrl: appUrl(app), apiKey: 'key-a', secret: 'secret-a', maxBatchSize: 2, initialBackoffMs: 50, ...overrides });

  it('signs, batches and retries 429 with the same ids until every event is stored once', async () => {
    const events = Array.from({ length: 9 }, () => exampleEvent('order.placed', { id: uniqueId('evt'), tenantId: 'tenant-a' }));
    // 5 batches of <=2 against 3 requests per second: the 4th and 5th get 429 and are retried.
    const results = await client().publishMany(events);
    expect(results.map((r) => r.status)).toEqual(events.map(() => 'accepted'));
    expect(results.map((r) => r.index)).toEqual(events.map((_, i) => i));
    const again = await client().publishMany(events);
    expect(again.map((r) => r.status)).toEqual(events.map(() => 'duplicate'));
    const ids = new Set(events.map((e) => e.id));
    await probe.waitFor(events.length, (m) => ids.has(m.value.id));
    expect(probe.messages.filter((m) => ids.has(m.value.id))).toHaveLength(events.length);
  });

  it('reports invalid events per index and refuses a wrong secret without retrying', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a fresh rate window
    const results = await client().publishMany([exampleEvent('order.placed', { id: uniqueId('evt'), tenantId: 'tenant-a', occurredAt: 'nope' })]);
    expect(results[0]).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ field: 'occurredAt' })] });
    await expect(client({ secret: 'wrong' }).publish(exampleEvent('order.placed', { tenantId: 'tenant-a' }))).rejects.toThrow(VigilRequestError);
  });
});
