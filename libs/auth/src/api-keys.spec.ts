import { findApiKey, parseApiKeys, presentedKey } from './api-keys';

describe('tenant keys', () => {
  it('parses tenant:key[:secret] lists and names the setting in errors', () => {
    const keys = parseApiKeys('m1:k1, m2:k2:s2', 'VELOCITY_ADMIN_KEYS');
    expect(keys.get('k1')).toEqual({ tenantId: 'm1', key: 'k1', secret: undefined });
    expect(keys.get('k2')).toEqual({ tenantId: 'm2', key: 'k2', secret: 's2' });
    expect(parseApiKeys('').size).toBe(0);
    expect(() => parseApiKeys('m1:k1,m2:k1', 'VELOCITY_ADMIN_KEYS')).toThrow(/VELOCITY_ADMIN_KEYS lists the key of tenant m2 twice/);
    expect(() => parseApiKeys('m1:', 'X')).toThrow(/X must be tenant:key/);
  });

  it('finds only an exact key', () => {
    const keys = parseApiKeys('m1:secret-key');
    expect(findApiKey(keys, 'secret-key')?.tenantId).toBe('m1');
    expect(findApiKey(keys, 'secret-ke')).toBeUndefined();
    expect(findApiKey(keys, 'secret-key2')).toBeUndefined();
    expect(findApiKey(keys, undefined)).toBeUndefined();
  });

  it('reads the key from X-Api-Key or a Bearer authorization header', () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name];
    expect(presentedKey(headers({ 'x-api-key': 'a' }))).toBe('a');
    expect(presentedKey(headers({ authorization: 'Bearer b' }))).toBe('b');
    expect(presentedKey(headers({ authorization: 'Basic b' }))).toBeUndefined();
    expect(presentedKey(headers({}))).toBeUndefined();
  });
});
