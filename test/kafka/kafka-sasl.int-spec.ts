/*
 * Kafka authentication (issue 16) against the test broker's SASL_PLAINTEXT listener, which
 * test/stack.sh starts beside the plain one (deploy/local/kafka.sh KAFKA_SASL_PORT): SCRAM-SHA-512,
 * SCRAM-SHA-256 and PLAIN logins of every client kind, a whole service running over SCRAM from
 * its configuration only, and a wrong password stopping a start with a reason a person can act on.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Partitioners } from 'kafkajs';
import { kafkaSecurityFromConfig, loadConfig, RuntimeConfig } from '@vigil/config';
import { exampleEvent, topicNames } from '@vigil/contracts';
import { createKafka, KafkaSaslMechanism, KafkaSecurity } from '@vigil/kafka';
import { provisionTopics } from '@vigil/service-runtime';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { AppModule } from '../../services/ingestion/src/app.module';
import { IngestionConfig } from '../../services/ingestion/src/config';

const ROOT = resolve(__dirname, '../..');

function saslStack(): { brokers: string; username: string; password: string } {
  const brokers = process.env['VIGIL_TEST_KAFKA_SASL_BROKERS'];
  const username = process.env['VIGIL_TEST_KAFKA_SASL_USERNAME'];
  const password = process.env['VIGIL_TEST_KAFKA_SASL_PASSWORD'];
  if (!brokers || !username || !password) {
    throw new Error(
      'VIGIL_TEST_KAFKA_SASL_BROKERS is empty: the running test broker has no SASL listener. ' +
        'Stop it (bash test/stack.sh stop) and run `npm test` again, which starts it with one.',
    );
  }
  return { brokers, username, password };
}

const security = (mechanism: KafkaSaslMechanism, password = saslStack().password): KafkaSecurity => ({
  sasl: { mechanism, username: saslStack().username, password },
});

describe('Kafka over SASL (the test broker SASL_PLAINTEXT listener)', () => {
  it.each(['scram-sha-512', 'scram-sha-256', 'plain'] as const)(
    '%s: admin, producer and consumer log in and a message goes through',
    async (mechanism) => {
      const kafka = createKafka(saslStack().brokers.split(','), `sasl-${mechanism}`, { quiet: true, security: security(mechanism) });
      const topic = uniqueId(`sasl-${mechanism}`);
      const admin = kafka.admin();
      await admin.connect();
      const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
      const consumer = kafka.consumer({ groupId: uniqueId('sasl'), maxWaitTimeInMs: 100 });
      try {
        const { brokers } = await admin.describeCluster();
        expect(brokers.map((b) => `${b.host}:${b.port}`).join(',')).toBe(saslStack().brokers); // advertised on the SASL listener
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
        await producer.connect();
        await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `hello over ${mechanism}` }] });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        const received: string[] = [];
        await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString() ?? '') });
        await waitFor('the message read back over SASL', async () => received.length > 0, 30_000);
        expect(received).toEqual([`hello over ${mechanism}`]);
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect();
      }
    },
  );

  it('a client without SASL gets no metadata from the SASL listener', async () => {
    const admin = createKafka(saslStack().brokers.split(','), 'sasl-none', { quiet: true }).admin({
      retry: { retries: 0 },
    });
    await expect(
      (async () => {
        await admin.connect();
        await admin.describeCluster();
      })(),
    ).rejects.toThrow();
    await admin.disconnect();
  });

  describe('a service configured for SCRAM-SHA-512 (ingestion: provisioning, publisher, intake consumer)', () => {
    let app: INestApplication;
    let config: IngestionConfig;
    let probe: TopicProbe<{ id: string }>;

    beforeAll(async () => {
      const { brokers, username, password } = saslStack();
      config = testConfig(IngestionConfig, {
        KAFKA_BROKERS: brokers,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: username,
        KAFKA_SASL_PASSWORD: password,
        INGESTION_API_KEYS: 'tenant-a:key-a',
      });
      app = await startTestApp(AppModule.register(config), config);
      // Read back through the plain listener of the same broker: what the service wrote over SASL.
      probe = await TopicProbe.start(testStack().brokers, [topicNames(config.VIGIL_TOPIC_PREFIX).events.orders]);
    });
    afterAll(async () => {
      await probe?.stop();
      await app?.close();
    });

    it('is healthy and publishes an accepted event', async () => {
      await waitFor('intake consumer in its group (/health 200)', async () => (await fetch(`${appUrl(app)}/health`)).status === 200, 45_000);
      const event = exampleEvent('order.placed', { id: uniqueId('evt'), tenantId: 'tenant-a' });
      const response = await fetch(`${appUrl(app)}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'key-a' },
        body: JSON.stringify(event),
      });
      expect(response.status).toBe(202);
      const [message] = await probe.waitFor(1, (m) => m.value.id === event.id);
      expect(message.value.id).toBe(event.id);
    });
  });

  it('a wrong password stops provisioning with the user, the mechanism and the variables to check, not the password', async () => {
    const { brokers, username } = saslStack();
    const wrong = 'not-the-password-123';
    const config = loadConfig(RuntimeConfig, {
      KAFKA_BROKERS: brokers,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: wrong,
      VIGIL_TOPIC_PREFIX: uniqueId('sasl-wrong'),
    });
    expect(kafkaSecurityFromConfig(config)?.sasl?.mechanism).toBe('scram-sha-512');
    const started = Date.now();
    const error = await provisionTopics(config).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).not.toBeNull();
    expect(error!.message).toContain(`Kafka refused the login of user "${username}" (SCRAM-SHA-512)`);
    expect(error!.message).toContain('KAFKA_SASL_PASSWORD');
    expect(error!.message).not.toContain(wrong);
    expect(Date.now() - started).toBeLessThan(20_000); // refused, not retried until a timeout
  });

  it('a service process started with a wrong password exits 1 with that reason', async () => {
    const { brokers, username } = saslStack();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = execFile(
        'node',
        ['-r', '@swc-node/register', 'services/ingestion/src/main.ts'],
        {
          cwd: ROOT,
          timeout: 60_000,
          env: {
            ...process.env,
            SWC_NODE_PROJECT: 'tsconfig.base.json',
            PORT: '0',
            KAFKA_BROKERS: brokers,
            KAFKA_SASL_MECHANISM: 'scram-sha-512',
            KAFKA_SASL_USERNAME: username,
            KAFKA_SASL_PASSWORD: 'wrong-password-456',
            REDIS_URL: testStack().redisUrl,
            INGESTION_API_KEYS: 'tenant-a:key-a',
            VIGIL_TOPIC_PREFIX: uniqueId('sasl-proc'),
          },
        },
        (_error, _stdout, stderrText) => done({ code: child.exitCode, stderr: String(stderrText) }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`Kafka refused the login of user "${username}" (SCRAM-SHA-512)`);
    expect(stderr).not.toContain('wrong-password-456');
  });
});
