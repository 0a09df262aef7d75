import { RedisKeys } from './redis-keys';

describe('RedisKeys', () => {
  const keys = new RedisKeys('vigil');

  it('puts an entity hash tag in every key of that entity', () => {
    expect(keys.entity('t1', 'account', 'a-1', 'cnt', 'order', 60000)).toBe('vigil:{t1:account:a-1}:cnt:order:60000');
  });

  it('keeps a single hash tag when an id contains braces', () => {
    const key = keys.entity('t1', 'account', 'x{y}z', 'state');
    expect(key.match(/[{}]/g)).toEqual(['{', '}']);
    expect(key.startsWith('vigil:{t1:account:x_y_z}')).toBe(true);
  });

  it('names global keys with their own tag', () => {
    expect(keys.global('lists', 'deny')).toBe('vigil:{lists:deny}');
  });
});
