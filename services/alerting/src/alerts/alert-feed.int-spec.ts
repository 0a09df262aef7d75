import { INestApplication } from '@nestjs/common';
import { FraudSignal, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { appUrl, startTestApp, testConfig, uniqueId, waitFor } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';

const TOKEN = 'feed-dashboard-token';

/** Subjects of the `alert` events an SSE connection received. */
async function watchFeed(url: string): Promise<{ subjects: Set<string>; close: () => void }> {
  const abort = new AbortController();
  const response = await fetch(`${url}/v1/alerts/stream`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  const subjects = new Set<string>();
  const reader = response.body!.getReader();
  let buffered = '';
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffered += Buffer.from(value!).toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (frame.includes('event: alert') && data)
          subjects.add((JSON.parse(data.slice(6)) as { subject: { id: string } }).subject.id);
      }
    }
  })();
  return { subjects, close: () => abort.abort() };
}

describe('alerting live feed with two instances (real Kafka and Redis)', () => {
  let apps: INestApplication[] = [];
  let publisher: KafkaPublisher;

  afterAll(async () => {
    await publisher?.disconnect();
    for (const app of apps) await app.close();
  });

  it('shows every alert on every instance, whichever instance processed its signals', async () => {
    const config = testConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: TOKEN });
    // two members of one consumer group: each processes the partitions it was given
    apps = [
      await startTestApp(AppModule.register(config), config),
      await startTestApp(AppModule.register(config), config),
    ];
    const feeds = await Promise.all(apps.map((app) => watchFeed(appUrl(app))));
    publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'alert-feed-int-spec'));
    const subjects = Array.from({ length: 24 }, () => uniqueId('acct'));
    const signals: FraudSignal[] = subjects.map((subjectId) =>
      testSignal({ ruleId: 'card-testing', subjectId }),
    );
    const topic = topicNames(config.VIGIL_TOPIC_PREFIX).signals;
    await publisher.publish(
      signals.map((s) => ({ topic, key: `${s.subject.type}:${s.subject.id}`, value: JSON.stringify(s) })),
    );
    await waitFor(
      'both instances to stream every alert',
      () => feeds.every((f) => subjects.every((s) => f.subjects.has(s))),
      60_000,
    ).catch(() => undefined);
    for (const feed of feeds) {
      expect(subjects.filter((s) => !feed.subjects.has(s))).toEqual([]);
      feed.close();
    }
  }, 90_000);
});
