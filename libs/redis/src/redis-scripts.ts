import { counter } from '@vigil/observability';
import { RedisClient } from './redis-client';

export const redisRoundTrips = counter({
  name: 'vigil_redis_round_trips_total',
  help: 'Round trips to Redis (a pipeline or a script call counts once), by operation',
  labelNames: ['operation'],
});

export interface LuaScript {
  /** Command name the script is registered under on the client. */
  name: string;
  lua: string;
  /** Number of KEYS the script takes; omit when the caller passes it with each call. */
  numberOfKeys?: number;
}

/**
 * Registers Lua scripts on the client. ioredis' defineCommand sends EVALSHA and falls back to
 * EVAL after a SCRIPT FLUSH or failover, on standalone and cluster clients alike.
 */
export function defineScripts(client: RedisClient, scripts: LuaScript[]): void {
  for (const script of scripts) {
    if (!(script.name in client)) {
      client.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
    }
  }
}

/** Calls a script registered with defineScripts, counting the round trip. */
export async function runScript<T>(client: RedisClient, name: string, keys: string[], args: (string | number)[]): Promise<T> {
  redisRoundTrips.inc({ operation: name });
  const command = (client as unknown as Record<string, (...a: (string | number)[]) => Promise<T>>)[name];
  return command.call(client, keys.length, ...keys, ...args);
}
