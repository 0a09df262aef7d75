/*
 * `npm run status` (deploy/local/status.sh runs this from dist/ or the sources). Exit codes:
 * 0 every service, the broker and Redis are up; 3 something is down (as `kafka.sh status`);
 * 1 the status could not be taken at all.
 */
import { kafkaSecurityFromConfig, loadConfig, RuntimeConfig } from '@vigil/config';
import { formatStackStatus, stackStatus } from './stack-status';

const env = process.env;
const DEFAULT_SERVICES = 'ingestion=3000,velocity=3001,review-analysis=3002,alerting=3003';

async function main(): Promise<number> {
  const services = (env['VIGIL_STATUS_SERVICES'] ?? DEFAULT_SERVICES).split(',').map((entry) => {
    const [name, port] = entry.split('=');
    return { name: name.trim(), port: Number(port) };
  });
  const status = await stackStatus({
    services,
    brokers: (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
    // The same KAFKA_SASL_* and KAFKA_TLS* variables as the services.
    kafkaSecurity: kafkaSecurityFromConfig(loadConfig(RuntimeConfig, env)),
    redisUrl: env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0',
    topicPrefix: env['VIGIL_TOPIC_PREFIX'] ?? '',
    dashboardToken: env['ALERTING_DASHBOARD_TOKEN'],
  });
  console.log(formatStackStatus(status));
  return status.allUp ? 0 : 3;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`status: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
