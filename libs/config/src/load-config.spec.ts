import { ConfigError, loadConfig } from './load-config';
import { RuntimeConfig } from './runtime-config';

describe('loadConfig', () => {
  it('applies defaults and converts types', () => {
    const config = loadConfig(RuntimeConfig, { PORT: '4100', KAFKA_BROKERS: 'a:1, b:2' });
    expect(config.PORT).toBe(4100);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('names every bad variable with its reason', () => {
    let error: unknown;
    try {
      loadConfig(RuntimeConfig, { PORT: 'eighty', KAFKA_BROKERS: 'nohostport', REDIS_URL: 'http://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable);
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'KAFKA_BROKERS', 'REDIS_URL']));
    expect((error as ConfigError).message).toMatch(/KAFKA_BROKERS: each broker must look like host:port/);
  });

  it('bounds the consumer session timeout by what the broker accepts', () => {
    expect(loadConfig(RuntimeConfig, {}).KAFKA_SESSION_TIMEOUT_MS).toBe(30_000);
    expect(loadConfig(RuntimeConfig, { KAFKA_SESSION_TIMEOUT_MS: '10000' }).KAFKA_SESSION_TIMEOUT_MS).toBe(10_000);
    expect(() => loadConfig(RuntimeConfig, { KAFKA_SESSION_TIMEOUT_MS: '1000' })).toThrow(/KAFKA_SESSION_TIMEOUT_MS/);
  });

  it('bounds a graceful stop by SHUTDOWN_TIMEOUT_MS (20 s by default, at least 1 s)', () => {
    expect(loadConfig(RuntimeConfig, {}).SHUTDOWN_TIMEOUT_MS).toBe(20_000);
    expect(loadConfig(RuntimeConfig, { SHUTDOWN_TIMEOUT_MS: '5000' }).SHUTDOWN_TIMEOUT_MS).toBe(5000);
    expect(() => loadConfig(RuntimeConfig, { SHUTDOWN_TIMEOUT_MS: '10' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });
});
