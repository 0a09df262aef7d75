import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';
import { RuntimeConfig } from './runtime-config';
import { describeKafkaError } from '@vigil/kafka';
import { kafkaSecurityFromConfig } from './kafka-security';

describe('kafkaSecurityFromConfig', () => {
  it('is undefined (PLAINTEXT) when nothing is set', () => {
    expect(kafkaSecurityFromConfig(loadConfig(RuntimeConfig, {}))).toBeUndefined();
  });

  it('maps SASL and TLS variables, reading the PEM files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-tls-'));
    for (const name of ['ca', 'cert', 'key']) writeFileSync(join(dir, `${name}.pem`), `-----BEGIN ${name}-----`);
    const security = kafkaSecurityFromConfig(
      loadConfig(RuntimeConfig, {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: join(dir, 'ca.pem'),
        KAFKA_TLS_CERT_FILE: join(dir, 'cert.pem'),
        KAFKA_TLS_KEY_FILE: join(dir, 'key.pem'),
      }),
    );
    expect(security).toEqual({
      sasl: { mechanism: 'plain', username: 'svc', password: 'pw' },
      ssl: { rejectUnauthorized: true, ca: '-----BEGIN ca-----', cert: '-----BEGIN cert-----', key: '-----BEGIN key-----' },
    });
  });

  it('names the variable of a PEM file it cannot read', () => {
    const config = loadConfig(RuntimeConfig, { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem' });
    expect(() => kafkaSecurityFromConfig(config)).toThrow('KAFKA_TLS_CA_FILE: cannot read /nonexistent/ca.pem (ENOENT)');
  });
});

describe('describeKafkaError', () => {
  it('names the user, the mechanism and the variables for a refused login, never the password', () => {
    const refused = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const text = describeKafkaError(refused, { sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'hunter2' } });
    expect(text).toMatch(/^Kafka refused the login of user "svc" \(SCRAM-SHA-512\): SASL SCRAM SHA512 authentication failed/);
    expect(text).toContain('Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.');
    expect(text).not.toContain('hunter2');
  });

  it('passes other errors through', () => {
    expect(describeKafkaError(new Error('Connection timeout'))).toBe('Connection timeout');
  });
});
