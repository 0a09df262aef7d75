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

/**
 * Redis Cluster nodes and their connection options from REDIS_URL's comma-separated node URLs.
 * ioredis' Cluster takes host/port seeds and applies one `redisOptions` to every node (also those
 * it discovers), so the credentials and TLS of the first URL are carried over here: rediss://
 * turns TLS on, user:password@ is the AUTH (ACL user or the default user's password).
 */
export function clusterConnection(urls: string): { nodes: { host: string; port: number }[]; redisOptions: RedisOptions } {
  const parsed = urls.split(',').map((u) => new URL(u.trim()));
  const first = parsed[0];
  const redisOptions: RedisOptions = { ...COMMON };
  if (first.username) redisOptions.username = decodeURIComponent(first.username);
  if (first.password) redisOptions.password = decodeURIComponent(first.password);
  // Empty TLS options: each node's certificate is checked against that node's own host name.
  if (first.protocol === 'rediss:') redisOptions.tls = {};
  return {
    nodes: parsed.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
    redisOptions,
  };
}

export function createRedisClient(options: RedisModuleOptions): RedisClient {
  let client: RedisClient;
  if (options.cluster) {
    const { nodes, redisOptions } = clusterConnection(options.url);
    client = new Cluster(nodes, {
      redisOptions,
      enableOfflineQueue: true,
      clusterRetryStrategy: COMMON.retryStrategy,
      // During a failover nodes disagree about a slot's owner for a moment: without a pause the 16
      // redirections a command may take bounce between them within milliseconds and it fails with
      // "Too many Cluster redirections" (a transient error, see isTransient in @vigil/kafka).
      retryDelayOnMoved: 100,
    });
  } else {
    client = new IORedis(options.url, COMMON);
  }
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
