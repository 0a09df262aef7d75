import Redis from 'ioredis';

/** Calls and time (µs, as Redis counts them) of each command, from INFO commandstats. */
export type CommandStats = Map<string, { calls: number; usec: number }>;

export async function readCommandStats(redisUrl: string): Promise<CommandStats> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const text = await redis.info('commandstats');
    const stats: CommandStats = new Map();
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) stats.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
    return stats;
  } finally {
    redis.disconnect();
  }
}

export interface CommandCost {
  command: string;
  callsPerEvent: number;
  usecPerEvent: number;
}

/**
 * Redis time per processed event by command between two readings (the Redis is shared: the
 * bench's own commands during the step are all there is). EVALSHA's time includes the commands
 * its scripts run, which are counted under their own names as well; the script's own Lua work
 * is EVALSHA's time minus theirs.
 */
export function commandCosts(before: CommandStats, after: CommandStats, events: number, top = 10): CommandCost[] {
  return [...after.entries()]
    .map(([command, a]) => {
      const b = before.get(command) ?? { calls: 0, usec: 0 };
      return { command, callsPerEvent: (a.calls - b.calls) / events, usecPerEvent: (a.usec - b.usec) / events };
    })
    .filter((c) => c.callsPerEvent > 0 && !['info', 'config|resetstat'].includes(c.command))
    .sort((x, y) => y.usecPerEvent - x.usecPerEvent)
    .slice(0, top);
}
