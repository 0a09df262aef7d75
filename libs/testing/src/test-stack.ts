import { randomUUID } from 'node:crypto';
import { loadConfig, RuntimeConfig } from '@vigil/config';

/**
 * Where the real test stack runs. `npm test` (test/run-tests.sh) starts a broker on its own
 * ports and data directory and exports these variables; to run a single spec by hand, start
 * it with `bash test/stack.sh start` and `source` what it prints.
 */
export function testStack(): { brokers: string[]; redisUrl: string } {
  const brokers = process.env['VIGIL_TEST_KAFKA_BROKERS'];
  const redisUrl = process.env['VIGIL_TEST_REDIS_URL'];
  if (!brokers || !redisUrl) {
    throw new Error(
      'VIGIL_TEST_KAFKA_BROKERS and VIGIL_TEST_REDIS_URL are not set: run the tests with `npm test`, ' +
        'or start the test stack with `eval "$(bash test/stack.sh start)"` first.',
    );
  }
  return { brokers: brokers.split(','), redisUrl };
}

/** A short unique id for topic prefixes, group ids and Redis key prefixes of one test. */
export function uniqueId(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/**
 * A service config pointing at the test stack, with a topic prefix and Redis key prefix of
 * its own so parallel suites never see each other's data.
 */
export function testConfig<C extends RuntimeConfig>(
  configClass: new () => C,
  overrides: Record<string, string> = {},
): C {
  const { brokers, redisUrl } = testStack();
  const isolation = uniqueId('it');
  return loadConfig(configClass, {
    PORT: '0',
    KAFKA_BROKERS: brokers.join(','),
    REDIS_URL: redisUrl,
    // VIGIL_TEST_REDIS_CLUSTER=true: VIGIL_TEST_REDIS_URL lists the nodes of a Redis Cluster.
    REDIS_CLUSTER: process.env['VIGIL_TEST_REDIS_CLUSTER'] ?? 'false',
    VIGIL_TOPIC_PREFIX: isolation,
    REDIS_KEY_PREFIX: `vigil-test:${isolation}`,
    LOG_LEVEL: process.env['VIGIL_TEST_LOG_LEVEL'] ?? 'warn',
    ...overrides,
  });
}
