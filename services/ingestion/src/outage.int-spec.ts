import { INestApplication } from '@nestjs/common';
import { exampleEvent, topicNames } from '@vigil/contracts';
import { createServiceApp, provisionTopics } from '@vigil/service-runtime';
import { appUrl, testConfig, testStack, TopicProbe, uniqueId } from '@vigil/testing';
import { AddressInfo, createServer, Server, Socket, connect } from 'node:net';
import { AppModule } from './app.module';
import { IngestionConfig } from './config';

/**
 * A TCP proxy to the test broker that we can switch off (every connection is reset at once)
 * and on. The broker advertises its own address in metadata, so once a client is connected
 * it talks to the broker directly: the proxy therefore proves "unreachable from the start,
 * then reachable", which is what the app sees when it boots during a broker outage.
 */
class SwitchableProxy {
  up = false;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(target: { host: string; port: number }): Promise<SwitchableProxy> {
    const server = createServer();
    const proxy = new SwitchableProxy(server);
    server.on('connection', (client) => {
      if (!proxy.up) return client.destroy();
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on('error', () => (s === client ? upstream : client).destroy());
        s.on('close', () => proxy.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('ingestion while Kafka is unreachable', () => {
  let proxy: SwitchableProxy;
  let app: INestApplication;
  let probe: TopicProbe<{ id: string }>;
  let config: IngestionConfig;

  beforeAll(async () => {
    const [broker] = testStack().brokers;
    const [host, port] = broker.split(':');
    proxy = await SwitchableProxy.start({ host, port: Number(port) });
    config = testConfig(IngestionConfig, {
      INGESTION_API_KEYS: 'tenant-a:key-a,tenant-r:key-r,tenant-s:key-s',
      INGESTION_RETRY_AFTER_SECONDS: '3',
      INGESTION_RATE_LIMIT: '10',
      LOG_LEVEL: 'fatal',
    });
    await provisionTopics(config); // through the real broker: the outage is the app's only
    const isolated = Object.assign(new IngestionConfig(), config, { KAFKA_BROKERS: [proxy.address] });
    app = await createServiceApp(AppModule.register(isolated));
    await app.listen(0, '127.0.0.1');
    probe = await TopicProbe.start(testStack().brokers, [
      topicNames(config.VIGIL_TOPIC_PREFIX).events.orders,
    ]);
  });
  afterAll(async () => {
    await probe?.stop();
    proxy.up = true; // let the app's clients disconnect cleanly
    await app?.close();
    await proxy?.close();
  });

  it('answers 503 with Retry-After, then publishes the resent events exactly once when the broker is back', async () => {
    const events = [1, 2].map(() =>
      exampleEvent('order.placed', { id: uniqueId('evt'), tenantId: 'tenant-a' }),
    );
    const send = () =>
      fetch(`${appUrl(app)}/v1/events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'key-a' },
        body: JSON.stringify({ events }),
      });

    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(await refused.json()).toMatchObject({ statusCode: 503, code: 'unavailable' });
    const health = await fetch(`${appUrl(app)}/health/live`);
    expect(health.status).toBe(200);

    proxy.up = true;
    const accepted = await send();
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted: 2, duplicates: 0 });
    const again = await send();
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 2 });

    const ids = new Set(events.map((e) => e.id));
    await probe.waitFor(2, (m) => ids.has(m.value.id));
    const marker = exampleEvent('order.placed', { id: uniqueId('evt'), tenantId: 'tenant-a' });
    await fetch(`${appUrl(app)}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'key-a' },
      body: JSON.stringify(marker),
    });
    await probe.waitFor(1, (m) => m.value.id === marker.id);
    for (const id of ids) expect(probe.messages.filter((m) => m.value.id === id)).toHaveLength(1);
  }, 40_000);

  it('limits requests per API key with 429 and Retry-After, other keys unaffected', async () => {
    const send = (key: string) =>
      fetch(`${appUrl(app)}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: '{}',
      });
    for (let i = 0; i < 10; i++) expect((await send('key-r')).status).toBe(400);
    const limited = await send('key-r');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ statusCode: 429, code: 'rate_limited' });
  });

  it('holds the limit across instances: the counters live in Redis', async () => {
    const second = await createServiceApp(AppModule.register(config));
    await second.listen(0, '127.0.0.1');
    try {
      const send = (target: INestApplication) =>
        fetch(`${appUrl(target)}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'key-s' },
          body: '{}',
        });
      // 10 allowed per window in all: 5 through each instance, then both refuse
      for (let i = 0; i < 5; i++) {
        expect((await send(app)).status).toBe(400);
        expect((await send(second)).status).toBe(400);
      }
      expect((await send(second)).status).toBe(429);
      expect((await send(app)).status).toBe(429);
    } finally {
      await second.close();
    }
  });
});
