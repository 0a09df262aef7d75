/*
 * The webhook outbox (global keys, one hash tag {alerting}):
 *   KEYS[1] sorted set deliveryId -> due time (ms); a claimed delivery's score is its lease end
 *   KEYS[2] hash deliveryId -> JSON {url, body, alertId, revision, attempt}
 *   KEYS[3] sorted set deliveryId -> enqueue time: every delivery ever enqueued within the
 *           retention, so a redelivered signal batch does not send the same revision twice
 */

/** ARGV: now, limit, retentionMs, then (deliveryId, json) pairs. Returns [enqueued, dropped]. */
export const OUTBOX_ENQUEUE_LUA = `
local now, limit, retention = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local enqueued, dropped = 0, 0
for i = 4, #ARGV, 2 do
  if not redis.call('ZSCORE', KEYS[3], ARGV[i]) then
    if redis.call('ZCARD', KEYS[1]) >= limit then
      dropped = dropped + 1
    else
      redis.call('ZADD', KEYS[1], now, ARGV[i])
      redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
      redis.call('ZADD', KEYS[3], now, ARGV[i])
      enqueued = enqueued + 1
    end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - retention))
for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], retention) end
return { enqueued, dropped }
`;

/**
 * Claims up to ARGV[3] due deliveries for ARGV[2] ms (a lease: if this instance dies, the delivery
 * is due again when the lease ends). ARGV: now, leaseMs, max. Returns [id, json, id, json, ...].
 */
export const OUTBOX_CLAIM_LUA = `
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], now + lease, id)
  local json = redis.call('HGET', KEYS[2], id)
  if json then
    out[#out + 1] = id
    out[#out + 1] = json
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

/** Done (delivered or given up): ARGV[1] id. Retry: ARGV[1] id, ARGV[2] due time, ARGV[3] json. */
export const OUTBOX_SETTLE_LUA = `
if ARGV[2] then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1
`;
