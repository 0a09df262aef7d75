import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { appUrl, startTestApp, testConfig, testStack, uniqueId } from '@vigil/testing';
import { AppModule } from '../app.module';
import { VelocityConfig } from '../config';

/** The lists API beyond one entry: a tenant's listing, CSV export and import, the change log, the bound. */
describe('velocity lists: listing, CSV, change log (real Redis)', () => {
  const tenant = uniqueId('tenant');
  const other = uniqueId('tenant');
  const key = uniqueId('key');
  const otherKey = uniqueId('key');
  let config: VelocityConfig;
  let app: INestApplication;
  let redis: Redis;
  type Reply = { total: number; next?: number; imported: number; entries: { entityId: string; addedBy: string }[]; changes: { action: string; actor: string; reason: string }[] };
  const json = async (response: Promise<Response>) => (await (await response).json()) as Reply;
  const call = (path: string, init: RequestInit & { as?: string; actor?: string } = {}) =>
    fetch(`${appUrl(app)}/v1/lists${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', 'x-api-key': init.as ?? key, ...(init.actor ? { 'x-vigil-actor': init.actor } : {}) },
    });

  beforeAll(async () => {
    config = testConfig(VelocityConfig, { VELOCITY_ADMIN_KEYS: `${tenant}:${key},${other}:${otherKey}`, VELOCITY_LIST_MAX_ENTRIES: '5' });
    app = await startTestApp(AppModule.register(config), config);
    redis = new Redis(testStack().redisUrl);
  });
  afterAll(async () => {
    await redis?.quit();
    await app?.close();
  });

  it('lists, exports and re-imports a tenant’s entries, records who and why, and keeps every key expiring', async () => {
    expect((await call('/allow/device/dev-1', { method: 'PUT', actor: 'ana', body: JSON.stringify({ reason: 'office device', rules: ['card-testing'], ttlDays: 10 }) })).status).toBe(200);
    expect((await call('/deny/account/-acc-2', { method: 'PUT', body: JSON.stringify({ reason: 'mule, confirmed' }) })).status).toBe(200);
    expect((await call('/deny/account/acc-3', { method: 'PUT', actor: 'not an actor!', body: JSON.stringify({ reason: 'x' }) })).status).toBe(400);

    const page = await json(call('?limit=10'));
    expect(page.total).toBe(2);
    expect(page.next).toBeUndefined();
    // soonest expiry first
    expect(page.entries.map((e) => [e.entityId, e.addedBy])).toEqual([['dev-1', 'ana'], ['-acc-2', 'admin-key']]);
    expect((await json(call('?list=deny'))).entries.map((e) => e.entityId)).toEqual(['-acc-2']);
    // another tenant sees nothing of it
    expect((await json(call('', { as: otherKey }))).total).toBe(0);

    const csv = await (await call('/export?list=deny')).text();
    expect(csv.split('\r\n')[0]).toBe('entityType,entityId,reason,rules,expiresAt,addedBy,addedAt');
    expect(csv).toContain(`account,'-acc-2,"mule, confirmed"`);

    // the export imports into another tenant as it is; a bad row is reported, the good one written
    const imported = await json(call('/import', { method: 'POST', as: otherKey, actor: 'bo', body: JSON.stringify({ list: 'deny', csv: `${csv}planet,p-1,nope,,,,\n` }) }));
    expect(imported).toEqual({ imported: 1, problems: [{ line: 3, reason: expect.stringMatching(/^entityType must be one of/) }] });
    const copied = (await json(call('?list=deny', { as: otherKey }))).entries;
    expect(copied).toEqual([expect.objectContaining({ entityType: 'account', entityId: '-acc-2', reason: 'mule, confirmed', addedBy: 'bo' })]);

    expect((await call('/allow/device/dev-1?reason=device%20sold', { method: 'DELETE', actor: 'ana' })).status).toBe(204);
    const { changes } = await json(call('/changes'));
    expect(changes.map((c) => [c.action, c.actor, c.reason])).toEqual([
      ['remove', 'ana', 'device sold'],
      ['put', 'admin-key', 'mule, confirmed'],
      ['put', 'ana', 'office device'],
    ]);
    expect((await json(call(''))).total).toBe(1);

    // every key this wrote expires
    const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const k of keys) expect(await redis.pttl(k)).toBeGreaterThan(0);
  });

  it('refuses an import beyond its bounds and entries beyond VELOCITY_LIST_MAX_ENTRIES', async () => {
    const tooLong = await call('/import', { method: 'POST', body: JSON.stringify({ list: 'deny', csv: 'x'.repeat(90_001) }) });
    expect(tooLong.status).toBe(400);
    const noHeader = await call('/import', { method: 'POST', body: JSON.stringify({ list: 'deny', csv: 'entityId\nx\n' }) });
    expect(JSON.stringify(await noHeader.json())).toMatch(/the header row lacks entityType/);
    const rows = Array.from({ length: 5 }, (_, i) => `device,cap-${i},bulk`).join('\n');
    const full = await call('/import', { method: 'POST', body: JSON.stringify({ list: 'deny', csv: `entityType,entityId,reason\n${rows}\n` }) });
    expect(full.status).toBe(409);
    expect((await json(call(''))).total).toBe(1); // nothing of the refused import was written
  });
});
