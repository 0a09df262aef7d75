import { Logger } from '@nestjs/common';
import IORedis, { Cluster, Redis, RedisOptions } from 'ioredis';
import { RedisModuleOptions } from './redis.options';

export type RedisClient = Redis | Cluster;

const logger = new Logger('Redis');

const COMMON: RedisOptions = {
  // Fail commands fast while disconnected instead of queueing without bound; the Kafka
  // consumer runner retries the whole batch, so nothing is lost.
  maxRetriesPerRequest: 2,
  enableOfflineQueue: true,
  connectTimeout: 3000,
  retryStrategy: (times) => Math.min(100 * 2 ** times, 3000),
};

export function createRedisClient(options: RedisModuleOptions): RedisClient {
  const client: RedisClient = options.cluster
    ? new Cluster(
        options.url.split(',').map((u) => {
          const { hostname, port } = new URL(u.trim());
          return { host: hostname, port: Number(port || 6379) };
        }),
        { redisOptions: COMMON, enableOfflineQueue: true, clusterRetryStrategy: COMMON.retryStrategy },
      )
    : new IORedis(options.url, COMMON);
  let lastError = '';
  client.on('error', (error: Error) => {
    // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
    if (error.message !== lastError) logger.warn(`redis error: ${error.message}`);
    lastError = error.message;
  });
  client.on('ready', () => {
    if (lastError) logger.log('redis connection restored');
    lastError = '';
  });
  return client;
}
