import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';

/*
 * Test-only proof that a Lua script touches only keys it declares, all in one hash slot (what a
 * Redis Cluster requires; standalone Redis does not check it, so a script that builds key names
 * itself passes every other test). guardLuaKeys() prefixes a script with a prelude that wraps
 * redis.call/redis.pcall: every key argument must be one of KEYS, and every KEYS entry must
 * share KEYS[1]'s slot. Commands whose key positions the table below does not know fail closed.
 * guardScriptKeys() registers the guarded script on a client under the production name (the
 * services' defineScripts then keeps it) and records each call's KEYS for a slot check with
 * cluster-key-slot, the CRC16 function ioredis routes by.
 */

// Key argument positions: a number n = arguments 1..n are keys; 'all' = every argument is a key.
const KEY_POSITIONS: Record<string, number | 'all'> = {};
for (const c of [
  'GET', 'SET', 'SETEX', 'PSETEX', 'GETSET', 'INCR', 'INCRBY', 'DECR', 'DECRBY', 'TYPE',
  'HGET', 'HSET', 'HSETNX', 'HINCRBY', 'HINCRBYFLOAT', 'HMGET', 'HLEN', 'HKEYS', 'HVALS', 'HDEL', 'HEXISTS', 'HGETALL',
  'ZADD', 'ZSCORE', 'ZMSCORE', 'ZRANGE', 'ZREVRANGE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZREMRANGEBYSCORE',
  'ZREMRANGEBYRANK', 'ZCARD', 'ZCOUNT', 'ZREM', 'ZINCRBY', 'ZRANK', 'ZREVRANK', 'ZPOPMIN',
  'PEXPIRE', 'EXPIRE', 'PEXPIREAT', 'EXPIREAT', 'PTTL', 'TTL', 'PERSIST',
  'LPUSH', 'RPUSH', 'LRANGE', 'LTRIM', 'LLEN', 'LREM', 'LPOP', 'RPOP', 'LINDEX',
  'SADD', 'SREM', 'SMEMBERS', 'SISMEMBER', 'SCARD', 'PFADD',
]) KEY_POSITIONS[c] = 1;
for (const c of ['DEL', 'UNLINK', 'EXISTS', 'MGET', 'PFCOUNT', 'TOUCH']) KEY_POSITIONS[c] = 'all';

const luaTable = Object.entries(KEY_POSITIONS)
  .map(([command, n]) => `${command}=${n === 'all' ? `'all'` : n}`)
  .join(', ');

const PRELUDE = `
local __declared = {}
for _, k in ipairs(KEYS) do __declared[k] = true end
-- Redis Cluster's hash tag: the part between the first '{' and the next '}' when non-empty.
local function __tag(k)
  local s = string.find(k, '{', 1, true)
  if s then
    local e = string.find(k, '}', s + 1, true)
    if e and e > s + 1 then return string.sub(k, s + 1, e - 1) end
  end
  return k
end
for i = 2, #KEYS do
  if __tag(KEYS[i]) ~= __tag(KEYS[1]) then
    error('lua-key-guard: KEYS[' .. i .. '] ' .. KEYS[i] .. ' has another hash tag than KEYS[1] ' .. KEYS[1])
  end
end
local __positions = { ${luaTable} }
local function __check(command, ...)
  local name = string.upper(tostring(command))
  local n = __positions[name]
  if n == nil then error('lua-key-guard: unknown command ' .. name .. ' (add its key positions)') end
  local args = {...}
  local last = n == 'all' and #args or n
  for i = 1, last do
    local k = tostring(args[i])
    if not __declared[k] then error('lua-key-guard: ' .. name .. ' touches undeclared key ' .. k) end
  end
end
-- A local 'redis' shadows the global for the script below (Redis 7 makes the global read-only).
local __redis = redis
local redis = setmetatable({
  call = function(command, ...) __check(command, ...); return __redis.call(command, ...) end,
  pcall = function(command, ...) __check(command, ...); return __redis.pcall(command, ...) end,
}, { __index = __redis })
`;

/** The script with the guard prelude. */
export function guardLuaKeys(lua: string): string {
  return PRELUDE + '\n' + lua;
}

export interface GuardedCall {
  script: string;
  keys: string[];
}

/** Records the KEYS of every call of the guarded scripts; crossSlotCalls() lists the violations. */
export class KeyGuardLog {
  readonly calls: GuardedCall[] = [];

  /** Calls whose KEYS span more than one Cluster slot (expected: none). */
  crossSlotCalls(): GuardedCall[] {
    return this.calls.filter((c) => new Set(c.keys.map((k) => calculateSlot(k))).size > 1);
  }

  count(script: string): number {
    return this.calls.filter((c) => c.script === script).length;
  }
}

type Invoker = (...args: (string | number)[]) => unknown;

// ioredis may copy the client's (already recording) command onto a pipeline: wrap it once.
const wrappers = new WeakSet<Invoker>();

function recordingWrapper(log: KeyGuardLog, name: string, numberOfKeys: number | undefined, fn: Invoker): Invoker {
  if (wrappers.has(fn)) return fn;
  const wrapper = function (this: unknown, ...args: (string | number)[]) {
    const n = numberOfKeys ?? Number(args[0]);
    const start = numberOfKeys === undefined ? 1 : 0;
    log.calls.push({ script: name, keys: args.slice(start, start + n).map(String) });
    return fn.apply(this, args);
  };
  wrappers.add(wrapper);
  return wrapper;
}

/**
 * Registers each script, guarded, on the client under its own name, and records the KEYS of
 * every call (direct or queued on a pipeline). Call before the code under test registers its
 * scripts: defineScripts keeps a name that is already defined.
 */
export function guardScriptKeys(
  client: Redis,
  scripts: { name: string; lua: string; numberOfKeys?: number }[],
  log = new KeyGuardLog(),
): KeyGuardLog {
  const target = client as unknown as Record<string, Invoker>;
  for (const s of scripts) {
    client.defineCommand(s.name, { lua: guardLuaKeys(s.lua), numberOfKeys: s.numberOfKeys });
    target[s.name] = recordingWrapper(log, s.name, s.numberOfKeys, target[s.name]);
  }
  const pipeline = client.pipeline.bind(client);
  client.pipeline = ((...a: Parameters<Redis['pipeline']>) => {
    const p = pipeline(...a);
    const queued = p as unknown as Record<string, Invoker>;
    for (const s of scripts) queued[s.name] = recordingWrapper(log, s.name, s.numberOfKeys, queued[s.name]);
    return p;
  }) as Redis['pipeline'];
  return log;
}
