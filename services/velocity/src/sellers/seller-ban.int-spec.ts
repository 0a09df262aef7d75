import { INestApplication } from '@nestjs/common';
import { FraudSignal } from '@vigil/contracts';
import { RedisClient, REDIS_CLIENT, RedisKeys } from '@vigil/redis';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { makeEvent, T0, TrafficProducer } from '../../test-support/traffic';
import { AppModule } from '../app.module';
import { VelocityConfig } from '../config';

/**
 * The ban route and re-registration, through the whole velocity service (real Kafka + Redis):
 * a seller's sign-up is consumed, an analyst bans it over HTTP with the tenant's admin key, and a new shop signing up on
 * the banned seller's device is flagged; an unrelated new shop is not.
 */
describe('POST /v1/sellers/:id/ban (velocity, real Kafka + Redis)', () => {
  const tenantId = uniqueId('market');
  const otherTenant = uniqueId('market');
  const adminKey = uniqueId('admin-key');
  const otherKey = uniqueId('other-key');
  let config: VelocityConfig;
  let app: INestApplication;
  let producer: TrafficProducer;
  let probe: TopicProbe<FraudSignal>;
  let redis: RedisClient;
  let keys: RedisKeys;

  beforeAll(async () => {
    config = testConfig(VelocityConfig, { VELOCITY_ADMIN_KEYS: `${tenantId}:${adminKey},${otherTenant}:${otherKey}` });
    app = await startTestApp(AppModule.register(config), config);
    redis = app.get(REDIS_CLIENT);
    keys = app.get(RedisKeys);
    producer = await TrafficProducer.connect(testStack().brokers, config.VIGIL_TOPIC_PREFIX);
    probe = await TopicProbe.start<FraudSignal>(testStack().brokers, [`${config.VIGIL_TOPIC_PREFIX}.fraud.signals`]);
  });
  afterAll(async () => {
    await probe?.stop();
    await producer?.close();
    await app?.close();
  });

  const sellerSignup = (id: string, deviceId: string, ip: string, atMs: number) =>
    makeEvent('account.created', tenantId, atMs, { accountId: id, roles: ['seller'], deviceId, signupIp: ip, emailHash: `${id}-mail` });
  const ban = (sellerId: string, body: unknown, key: string | null = adminKey) =>
    fetch(`${appUrl(app)}/v1/sellers/${encodeURIComponent(sellerId)}/ban`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('a new shop on the device of a banned seller fires seller.re-registration; an unrelated new shop does not; bad requests get a precise 400', async () => {
    const banned = uniqueId('banned');
    const again = uniqueId('again');
    const fresh = uniqueId('fresh');
    const device = uniqueId('dev');
    await producer.send([sellerSignup(banned, device, '192.0.2.10', T0)]);
    const links = `${keys.entity(tenantId, 'seller', banned, 'sd')}:links`;
    await waitFor('the banned seller sign-up consumed', async () => ((await redis.zcard(links)) === 3 ? true : undefined), 30_000);

    // No key, an unknown key: 401 before anything is touched.
    expect((await ban(banned, { reason: 'fraud' }, null)).status).toBe(401);
    expect((await ban(banned, { reason: 'fraud' }, 'not-a-key')).status).toBe(401);
    // The tenant comes from the key, never the body: another tenant's key bans nothing of ours.
    const smuggled = await ban(banned, { tenantId, reason: 'fraud' }, otherKey);
    expect(smuggled.status).toBe(400);
    expect(JSON.stringify(await smuggled.json())).toContain('property tenantId should not exist');
    const otherTenants = await ban(banned, { reason: 'fraud' }, otherKey);
    expect(otherTenants.status).toBe(201);
    expect(await otherTenants.json()).toEqual({ sellerId: banned, flaggedLinks: 0 });
    const badId = await ban('bad id with spaces', { reason: 'fraud' });
    expect(badId.status).toBe(400);
    const noReason = await ban(banned, {});
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(await noReason.json())).toContain('reason');

    const ok = await ban(banned, { reason: 'fake shop', by: 'analyst-1' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ sellerId: banned, flaggedLinks: 3 });

    await producer.send([sellerSignup(again, device, '192.0.2.99', T0 + 60_000), sellerSignup(fresh, uniqueId('dev'), '192.0.2.77', T0 + 60_000)]);
    const [signal] = await probe.waitFor(1, (m) => m.value.ruleId === 'seller.re-registration' && m.value.subject.id === again);
    expect(signal.value.evidence).toMatchObject({ link: `device:${device}`, flagged: { [banned]: expect.objectContaining({ reason: 'ban:fake shop' }) } });
    // The unrelated shop was consumed in the same pass (its links are stored) and raised nothing.
    await waitFor('the fresh seller consumed', async () => ((await redis.zcard(`${keys.entity(tenantId, 'seller', fresh, 'sd')}:links`)) === 3 ? true : undefined), 30_000);
    expect(probe.messages.filter((m) => m.value.subject.id === fresh)).toEqual([]);
  });
});
