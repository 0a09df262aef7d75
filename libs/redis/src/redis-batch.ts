import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { histogram, LATENCY_BUCKETS } from '@vigil/observability';
import { RedisClient } from './redis-client';

// Every hot path's Redis work goes through execBatch, so its time is the Redis latency the
// services see (deploy/prometheus/alerts.yml alerts on its p99).
const batchSeconds = histogram({
  name: 'vigil_redis_batch_duration_seconds',
  help: 'Time of one execBatch: one pipeline round trip (on a cluster, its per-slot pipelines run concurrently)',
  buckets: LATENCY_BUCKETS,
});

export type RedisPipeline = ReturnType<RedisClient['pipeline']>;

/** One command of a batch: `key` is one of its keys (every key of one command shares a hash slot). */
export interface BatchCommand {
  key: string;
  queue: (pipeline: RedisPipeline) => unknown;
}

/**
 * Runs commands as one batch and returns their replies in order (throws the first error).
 *
 * Standalone Redis: one pipeline, one round trip. Redis Cluster: ioredis refuses a pipeline
 * whose keys live on different nodes, so the commands go out as one pipeline per hash slot,
 * all concurrently (ioredis follows MOVED/ASK for each, e.g. during a failover). Commands of
 * different slots never depend on each other's order (each entity's work is one command).
 */
export async function execBatch<T = unknown>(
  client: RedisClient,
  commands: readonly BatchCommand[],
): Promise<T[]> {
  if (commands.length === 0) return [];
  const stop = batchSeconds.startTimer();
  try {
    return await (client instanceof Cluster
      ? execClusterBatch<T>(client, commands)
      : execPipeline<T>(client, commands));
  } finally {
    stop();
  }
}

async function execClusterBatch<T>(client: Cluster, commands: readonly BatchCommand[]): Promise<T[]> {
  const bySlot = new Map<number, number[]>();
  commands.forEach((c, i) => {
    const slot = calculateSlot(c.key);
    const list = bySlot.get(slot) ?? [];
    list.push(i);
    bySlot.set(slot, list);
  });
  const out: T[] = new Array(commands.length);
  await Promise.all(
    [...bySlot.values()].map(async (indexes) => {
      const replies = await execPipeline<T>(
        client,
        indexes.map((i) => commands[i]),
      );
      indexes.forEach((i, j) => (out[i] = replies[j]));
    }),
  );
  return out;
}

async function execPipeline<T>(client: RedisClient, commands: readonly BatchCommand[]): Promise<T[]> {
  const pipeline = client.pipeline();
  for (const c of commands) c.queue(pipeline);
  const replies = await pipeline.exec();
  if (!replies) throw new Error('Redis pipeline returned no replies (connection closed)');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply as T;
  });
}

/** Queues a script registered with defineCommand (see redis-scripts.ts) on a pipeline. */
export function queueScript(pipeline: RedisPipeline, name: string, args: (string | number)[]): unknown {
  const fn = (pipeline as unknown as Record<string, ((...a: (string | number)[]) => unknown) | undefined>)[
    name
  ];
  if (!fn) throw new Error(`Redis script ${name} is not registered on this client`);
  return fn.apply(pipeline, args);
}
