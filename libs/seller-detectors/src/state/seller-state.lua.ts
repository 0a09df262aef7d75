import { LuaScript } from '@vigil/redis';

/*
 * The detectors' own state, next to @vigil/counters (which keeps the per-seller windows, baselines
 * and facts). Each script touches the keys of ONE entity (one hash tag = one Cluster slot), all
 * declared in KEYS by the caller (sellerStateKeys and the callers in seller-detectors.ts; a
 * Cluster allows no other), writes a TTL on every key it writes, and is idempotent or dedupes by
 * event id in the same script.
 */

/**
 * Price sketch of one product or category in one currency: the last `sampleSize` market prices
 * ("price:eventId" entries; a sliding sample: bounded, and it follows the market). Returns the median and a verdict for
 * the new price; a far-below price is NOT added, so a dumping burst cannot drag the median down.
 * KEYS[1] the sample list ("<entity prefix>:px"); ARGV eventId, price, fraction, minSamples, sampleSize, ttlMs.
 * Returns {median or "-1", samples, dumped 0/1}.
 */
export const PRICE_SKETCH_SCRIPT: LuaScript = {
  name: 'sellerPriceSketch',
  numberOfKeys: 1,
  lua: `
local list = KEYS[1]
local price = tonumber(ARGV[2])
local fraction = tonumber(ARGV[3])
local minSamples = tonumber(ARGV[4])
local values = redis.call('LRANGE', list, 0, -1)
local nums = {}
local seen = false
local tag = ':' .. ARGV[1]
for i, v in ipairs(values) do
  local sep = string.find(v, ':', 1, true)
  nums[i] = tonumber(string.sub(v, 1, sep - 1))
  if string.sub(v, sep) == tag then seen = true end
end
table.sort(nums)
local median = -1
if #nums >= minSamples then median = nums[math.ceil(#nums / 2)] end
local dumped = 0
if median > 0 and price < fraction * median then dumped = 1 end
-- Each sample carries its event id: a redelivered listing is recognised without a key per event.
if (not seen) and dumped == 0 then
  redis.call('LPUSH', list, ARGV[2] .. tag)
  redis.call('LTRIM', list, 0, tonumber(ARGV[5]) - 1)
end
if redis.call('EXISTS', list) == 1 then redis.call('PEXPIRE', list, ARGV[6]) end
return {tostring(median), #nums, dumped}
`,
};

/**
 * A link (contact hash, device, IP, payout fingerprint, e-mail/phone hash) -> the sellers seen
 * with it (member -> last time, at most `cap`, oldest dropped) and the flagged ones among them.
 * ZADD of the same member/time is idempotent, so no dedupe is needed.
 * KEYS[1] the link's sellers ("<link prefix>:sellers"), KEYS[2] its flagged sellers
 * ("<link prefix>:flagged"); ARGV sellerId, timeMs, cap, ttlMs. Returns {count, {sellers...}, {flagged k,v...}}.
 */
export const LINK_OBSERVE_SCRIPT: LuaScript = {
  name: 'sellerLinkObserve',
  numberOfKeys: 2,
  lua: `
local z = KEYS[1]
local cap = tonumber(ARGV[3])
local previous = redis.call('ZSCORE', z, ARGV[1])
if (not previous) or tonumber(previous) < tonumber(ARGV[2]) then redis.call('ZADD', z, ARGV[2], ARGV[1]) end
local count = redis.call('ZCARD', z)
if count > cap then redis.call('ZREMRANGEBYRANK', z, 0, count - cap - 1); count = cap end
redis.call('PEXPIRE', z, ARGV[4])
local sellers = redis.call('ZREVRANGE', z, 0, 9)
local flagged = redis.call('HGETALL', KEYS[2])
return {count, sellers, flagged}
`,
};

/** Marks a link as used by a banned/flagged seller. KEYS[1] "<link prefix>:flagged"; ARGV sellerId, reason json, ttlMs. */
export const LINK_FLAG_SCRIPT: LuaScript = {
  name: 'sellerLinkFlag',
  numberOfKeys: 1,
  lua: `
local f = KEYS[1]
redis.call('HSET', f, ARGV[1], ARGV[2])
if redis.call('HLEN', f) > 50 then redis.call('HDEL', f, redis.call('HKEYS', f)[1]) end
redis.call('PEXPIRE', f, ARGV[3])
return 1
`,
};

/**
 * The seller's own bounded state: its links (so a ban can flag them), its known devices and IPs
 * (member -> first seen) and, for exit scams, its open orders and usual time to ship.
 * KEYS: the op's keys, sellerStateKeys(seller prefix, op, set); ARGV op, ...:
 *  'links', timeMs, cap, ttlMs, link...             -> 1                 KEYS links
 *  'known', set, member, timeMs, cap, ttlMs          -> {isNew 0/1, sizeBefore}  KEYS known:<set>
 *  'placed', orderId, timeMs, cap, ttlMs, minLagMs, lagFactor -> {overdue, lagMs, usualShipMs}  KEYS open, shipped, ship
 *  'shipped', orderId, timeMs, ttlMs                 -> {delayMs or -1}   KEYS open, shipped, ship
 *  'ban', reasonJson, ttlMs                          -> {links...}        KEYS banned, links
 */
export const SELLER_STATE_SCRIPT: LuaScript = {
  name: 'sellerState',
  // no numberOfKeys: each op declares its own keys
  lua: `
local op = ARGV[1]
local function capped(z, cap)
  local n = redis.call('ZCARD', z)
  if n > cap then redis.call('ZREMRANGEBYRANK', z, 0, n - cap - 1) end
end
if op == 'links' then
  local z = KEYS[1]
  for i = 5, #ARGV do redis.call('ZADD', z, ARGV[2], ARGV[i]) end
  capped(z, tonumber(ARGV[3]))
  redis.call('PEXPIRE', z, ARGV[4])
  return 1
elseif op == 'known' then
  local z = KEYS[1]
  local size = redis.call('ZCARD', z)
  local seen = redis.call('ZSCORE', z, ARGV[3])
  local isNew = 0
  if not seen then
    isNew = 1
    redis.call('ZADD', z, ARGV[4], ARGV[3])
    capped(z, tonumber(ARGV[5]))
  elseif tonumber(seen) >= tonumber(ARGV[4]) then
    -- redelivery of the event that first showed this member: answer as the first time did
    isNew = 1
    size = redis.call('ZCOUNT', z, '-inf', '(' .. ARGV[4])
  end
  redis.call('PEXPIRE', z, ARGV[6])
  return {isNew, size}
elseif op == 'placed' then
  local z = KEYS[1]
  local t = tonumber(ARGV[3])
  -- order events are keyed by buyer: a shipment may be consumed before its order
  if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then redis.call('ZADD', z, 'NX', t, ARGV[2]) end
  capped(z, tonumber(ARGV[4]))
  redis.call('PEXPIRE', z, ARGV[5])
  local usual = tonumber(redis.call('HGET', KEYS[3], 'avg') or '-1')
  local lag = tonumber(ARGV[6])
  if usual > 0 and usual * tonumber(ARGV[7]) > lag then lag = usual * tonumber(ARGV[7]) end
  local overdue = redis.call('ZCOUNT', z, '-inf', '(' .. tostring(t - lag))
  return {overdue, tostring(lag), tostring(usual)}
elseif op == 'shipped' then
  local z = KEYS[1]
  local placed = redis.call('ZSCORE', z, ARGV[2])
  if not placed then
    local early = KEYS[2]
    redis.call('ZADD', early, ARGV[3], ARGV[2])
    capped(early, 1000)
    redis.call('PEXPIRE', early, ARGV[4])
    return {-1}
  end
  redis.call('ZREM', z, ARGV[2])
  local delay = tonumber(ARGV[3]) - tonumber(placed)
  if delay < 0 then delay = 0 end
  local h = KEYS[3]
  local avg = tonumber(redis.call('HGET', h, 'avg') or '-1')
  if avg < 0 then avg = delay else avg = avg * 0.8 + delay * 0.2 end
  redis.call('HSET', h, 'avg', tostring(avg))
  redis.call('PEXPIRE', h, ARGV[4])
  return {delay}
elseif op == 'ban' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return redis.call('ZRANGE', KEYS[2], 0, -1)
end
return redis.error_reply('unknown sellerState op ' .. tostring(op))
`,
};

export type SellerStateOp = 'links' | 'known' | 'placed' | 'shipped' | 'ban';

/** The keys one SELLER_STATE_SCRIPT op touches, from the seller's prefix (all of its hash tag). */
export function sellerStateKeys(prefix: string, op: SellerStateOp, set?: string): string[] {
  switch (op) {
    case 'links':
      return [`${prefix}:links`];
    case 'known':
      return [`${prefix}:known:${set ?? ''}`];
    case 'placed':
    case 'shipped':
      return [`${prefix}:open`, `${prefix}:shipped`, `${prefix}:ship`];
    case 'ban':
      return [`${prefix}:banned`, `${prefix}:links`];
  }
}

export const SELLER_DETECTOR_SCRIPTS = [PRICE_SKETCH_SCRIPT, LINK_OBSERVE_SCRIPT, LINK_FLAG_SCRIPT, SELLER_STATE_SCRIPT];
