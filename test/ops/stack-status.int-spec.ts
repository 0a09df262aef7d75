/*
 * `npm run status` (issue 18) against the test stack: the broker and Redis up, services that are
 * not running reported down with their port (exit code 3), the lag of a Vigil consumer group
 * from its committed offsets, and an alerting instance that is up, with its alert counts.
 */
import { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Partitioners } from 'kafkajs';
import { createKafka, ensureTopics } from '@vigil/kafka';
import { formatStackStatus, stackStatus } from '@vigil/service-runtime';
import { freePort, startTestApp, testConfig, testStack, uniqueId } from '@vigil/testing';
import { AppModule as AlertingModule } from '../../services/alerting/src/app.module';
import { AlertingConfig } from '../../services/alerting/src/config';

describe('npm run status', () => {
  const { brokers, redisUrl } = testStack();
  const prefix = uniqueId('status');
  const token = 'status-spec-token';
  let alerting: INestApplication;

  beforeAll(async () => {
    // A Vigil group of this prefix, 5 messages on its topic and 2 of them committed: lag 3.
    const kafka = createKafka(brokers, 'status-spec');
    const topic = `${prefix}.status-events`;
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [1, 2, 3, 4, 5].map((n) => ({ value: String(n) })) });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId: `${prefix}.vigil-status-spec`,
      topic,
      partitions: [{ partition: 0, offset: '2' }],
    });
    await admin.disconnect();

    const config = testConfig(AlertingConfig, {
      VIGIL_TOPIC_PREFIX: prefix,
      ALERTING_DASHBOARD_TOKEN: token,
    });
    alerting = await startTestApp(AlertingModule.register(config), config);
  });

  afterAll(async () => {
    await alerting?.close();
  });

  it('reports services that are not running as down, the broker and Redis up, and the group lag', async () => {
    const services = [
      { name: 'ingestion', port: await freePort() },
      { name: 'velocity', port: await freePort() },
    ];
    const status = await stackStatus({ services, brokers, redisUrl, topicPrefix: prefix, timeoutMs: 3000 });
    expect(status.services.map((s) => ({ name: s.name, port: s.port, up: s.up, detail: s.detail }))).toEqual(
      services.map((s) => ({ ...s, up: false, detail: 'not running (connection refused)' })),
    );
    expect(status.kafka.up).toBe(true);
    expect(status.redis).toEqual({ up: true, detail: expect.stringContaining('PING PONG') });
    // every group of the prefix: the running alerting instance's two (nothing to read) and ours
    expect(status.lags.map((g) => [g.groupId, g.lag])).toEqual([
      [`${prefix}.vigil-alerting-decisions`, 0],
      [`${prefix}.vigil-alerting-signals`, 0],
      [`${prefix}.vigil-status-spec`, 3],
    ]);
    expect(status.alerts).toBe('unknown (alerting is down)');
    expect(status.allUp).toBe(false);
    const text = formatStackStatus(status);
    expect(text).toMatch(new RegExp(`^ingestion +:${services[0].port} +DOWN +not running`, 'm'));
    expect(text).toMatch(/^kafka +up +1 broker\(s\)/m);
    expect(text).toMatch(
      new RegExp(`^  ${prefix}\\.vigil-status-spec +3  \\(${prefix}\\.status-events\\)$`, 'm'),
    );
  });

  it('reports a running alerting instance up, with its health and the alerts of the last minute', async () => {
    const port = (alerting.getHttpServer().address() as { port: number }).port;
    const withToken = await stackStatus({
      services: [{ name: 'alerting', port }],
      brokers,
      redisUrl,
      topicPrefix: prefix,
      dashboardToken: token,
    });
    expect(withToken.services[0]).toEqual({
      name: 'alerting',
      port,
      up: true,
      detail: expect.stringMatching(/^kafka up, redis up, consumers: .*vigil-alerting-signals running/),
    });
    expect(withToken.alerts).toMatch(/^0 in the last full minute \(\d\d:\d\d UTC\), 0 so far in this one$/);
    expect(withToken.allUp).toBe(true);
    // without the token, the instance's alert counter instead of the per-minute counts
    const withoutToken = await stackStatus({
      services: [{ name: 'alerting', port }],
      brokers,
      redisUrl,
      topicPrefix: prefix,
    });
    expect(withoutToken.alerts).toMatch(/^0 created since this alerting instance started/);
  });

  it('exits 3 from deploy/local/status.sh when something is down, and prints one line per part', async () => {
    const port = await freePort();
    const run = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(
        'bash',
        [resolve(__dirname, '../../deploy/local/status.sh')],
        {
          env: {
            ...process.env,
            KAFKA_BROKERS: brokers.join(','),
            REDIS_URL: redisUrl,
            VIGIL_TOPIC_PREFIX: prefix,
            VIGIL_STATUS_SERVICES: `ingestion=${port}`,
          },
        },
        (error, stdout) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
    expect(run.code).toBe(3);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(new RegExp(`^ingestion +:${port} +DOWN +not running`)),
      expect.stringMatching(/^kafka +up /),
      expect.stringMatching(/^redis +up /),
    ]);
  });
});
