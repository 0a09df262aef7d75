import { IsString } from 'class-validator';
import { ConfigError, loadConfig } from './load-config';
import { NoDemoSecret } from './demo-secrets';
import { RuntimeConfig } from './runtime-config';

class KeysConfig extends RuntimeConfig {
  @IsString()
  @NoDemoSecret()
  KEYS = '';
}

describe('NoDemoSecret', () => {
  it('refuses a public demo credential, alone or in a key list, outside demo mode', () => {
    expect(() => loadConfig(KeysConfig, { KEYS: 'm1:own-key,tenant-demo:demo-key' })).toThrow(ConfigError);
    expect(() => loadConfig(KeysConfig, { KEYS: 'demo-token' })).toThrow(/KEYS: uses the public demo credential "demo-token"; choose your own, or set VIGIL_DEMO_MODE=true/);
  });

  it('admits it in demo mode, and admits other credentials anywhere', () => {
    expect(loadConfig(KeysConfig, { KEYS: 'tenant-demo:demo-key', VIGIL_DEMO_MODE: 'true' }).KEYS).toBe('tenant-demo:demo-key');
    expect(loadConfig(KeysConfig, { KEYS: 'm1:demo-keys-are-not-this' }).KEYS).toBe('m1:demo-keys-are-not-this');
    expect(loadConfig(KeysConfig, {}).VIGIL_DEMO_MODE).toBe(false);
  });
});
