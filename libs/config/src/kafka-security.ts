import { readFileSync } from 'node:fs';
import { ConnectionOptions } from 'node:tls';
import { RuntimeConfig } from './runtime-config';
import { KafkaSecurity } from '@vigil/kafka';

/** The Kafka SASL and TLS settings of a service's configuration; undefined: PLAINTEXT. */
export function kafkaSecurityFromConfig(config: RuntimeConfig): KafkaSecurity | undefined {
  const security: KafkaSecurity = {};
  if (config.KAFKA_SASL_MECHANISM) {
    security.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      // Both are required by the config's validation when a mechanism is set.
      username: config.KAFKA_SASL_USERNAME ?? '',
      password: config.KAFKA_SASL_PASSWORD ?? '',
    };
  }
  if (config.KAFKA_TLS) {
    const tls: ConnectionOptions = { rejectUnauthorized: config.KAFKA_TLS_REJECT_UNAUTHORIZED };
    if (config.KAFKA_TLS_CA_FILE) tls.ca = readPem('KAFKA_TLS_CA_FILE', config.KAFKA_TLS_CA_FILE);
    if (config.KAFKA_TLS_CERT_FILE) tls.cert = readPem('KAFKA_TLS_CERT_FILE', config.KAFKA_TLS_CERT_FILE);
    if (config.KAFKA_TLS_KEY_FILE) tls.key = readPem('KAFKA_TLS_KEY_FILE', config.KAFKA_TLS_KEY_FILE);
    security.ssl = tls;
  }
  return security.sasl || security.ssl ? security : undefined;
}

function readPem(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
