import IORedis from 'ioredis';
import { guardLuaKeys, guardScriptKeys } from './lua-key-guard';
import { testStack, uniqueId } from './test-stack';

// The guard itself: it must reject what a Redis Cluster rejects (and what standalone Redis allows).
describe('lua key guard', () => {
  let redis: IORedis;
  const base = `${uniqueId('guard')}:{tenant-1:x}`;
  beforeAll(() => (redis = new IORedis(testStack().redisUrl)));
  afterAll(async () => {
    await redis.del(`${base}:a`, `${base}:b`);
    redis.disconnect();
  });
  const run = (lua: string, keys: string[]) => redis.eval(guardLuaKeys(lua), keys.length, ...keys);

  it('lets a script touch its declared keys of one hash tag', async () => {
    const lua = `redis.call('SET', KEYS[1], '1', 'PX', 60000); redis.call('DEL', KEYS[2]); return redis.call('GET', KEYS[1])`;
    await expect(run(lua, [`${base}:a`, `${base}:b`])).resolves.toBe('1');
  });

  it('rejects a key the script builds itself, through call and pcall', async () => {
    await expect(run(`return redis.call('GET', KEYS[1] .. ':px')`, [`${base}:a`])).rejects.toThrow(/undeclared key .*:a:px/);
    await expect(run(`return redis.pcall('HGET', KEYS[1] .. ':h', 'f')`, [`${base}:a`])).rejects.toThrow(/undeclared key/);
    // every argument of DEL/EXISTS is a key
    await expect(run(`return redis.call('EXISTS', KEYS[1], 'other')`, [`${base}:a`])).rejects.toThrow(/undeclared key other/);
  });

  it('rejects declared keys of different hash tags, and commands it does not know', async () => {
    await expect(run(`return 1`, [`${base}:a`, 'p:{tenant-2:x}:a'])).rejects.toThrow(/another hash tag/);
    await expect(run(`return redis.call('RENAME', KEYS[1], KEYS[1])`, [`${base}:a`])).rejects.toThrow(/unknown command RENAME/);
  });

  it('records the KEYS of direct and pipelined calls with their Cluster slots', async () => {
    const client = new IORedis(testStack().redisUrl);
    try {
      const log = guardScriptKeys(client, [{ name: 'guardProbe', lua: `return #KEYS` }]);
      const probe = client as unknown as Record<string, (...a: (string | number)[]) => Promise<number>>;
      await expect(probe['guardProbe'](2, `${base}:a`, `${base}:b`)).resolves.toBe(2);
      const p = client.pipeline();
      (p as unknown as Record<string, (...a: (string | number)[]) => unknown>)['guardProbe'](2, 'k:{one}', 'k:{two}');
      await expect(p.exec()).resolves.toEqual([[expect.any(Error)]]);
      expect(log.calls.map((c) => c.keys)).toEqual([[`${base}:a`, `${base}:b`], ['k:{one}', 'k:{two}']]);
      expect(log.crossSlotCalls().map((c) => c.keys)).toEqual([['k:{one}', 'k:{two}']]);
    } finally {
      client.disconnect();
    }
  });
});
