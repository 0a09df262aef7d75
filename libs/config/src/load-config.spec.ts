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
  it('reads Kafka SASL and TLS settings, and refuses a mechanism without its credentials by name', () => {
    const plain = loadConfig(RuntimeConfig, {});
    expect(plain.KAFKA_SASL_MECHANISM).toBeUndefined();
    expect(plain.KAFKA_TLS).toBe(false);
    expect(plain.KAFKA_TLS_REJECT_UNAUTHORIZED).toBe(true);
    const scram = loadConfig(RuntimeConfig, {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'vigil',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_TLS: 'true',
      KAFKA_TLS_REJECT_UNAUTHORIZED: '0',
    });
    expect(scram).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_TLS: true, KAFKA_TLS_REJECT_UNAUTHORIZED: false });
    expect(() => loadConfig(RuntimeConfig, { KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(
      /KAFKA_SASL_USERNAME: is required when KAFKA_SASL_MECHANISM is set[\s\S]*KAFKA_SASL_PASSWORD: is required/,
    );
    expect(() => loadConfig(RuntimeConfig, { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toThrow(
      /KAFKA_SASL_MECHANISM: .*plain, scram-sha-256, scram-sha-512/,
    );
    expect(() => loadConfig(RuntimeConfig, { KAFKA_TLS: 'yes' })).toThrow(/KAFKA_TLS: .*boolean/);
    expect(() => loadConfig(RuntimeConfig, { KAFKA_TLS_CERT_FILE: '/etc/vigil/client.pem' })).toThrow(/KAFKA_TLS_KEY_FILE: is required when KAFKA_TLS_CERT_FILE is set/);
  });
});
