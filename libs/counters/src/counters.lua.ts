/*
 * The one script that updates and reads every counter, fact and set of ONE entity for all the
 * events of a batch that concern it. The engine sends one call per entity, all in one pipeline:
 * one round trip per batch. Every key it touches starts with KEYS[1] = "<prefix>:{tenant:type:id}"
 * (plus the engine's namespace, if any), and KEYS[2] is the entity's list entry
 * "<prefix>:{tenant:type:id}:list", so they share the entity's hash tag and live on one Redis
 * Cluster slot.
 *
 * ARGV[1] (JSON): { ttl, late, n, alpha, events: [{ id, t, u: [update], f: [factOp] }] }
 *   e.lt: late by the stream's judgement (beyond the allowed lateness behind the released frontier)
 *   update: { c: counter, k: "count"|"sum"|"distinct", v: number|string, w: [windowMs], bl: bool }
 *   factOp: { o: "set"|"setnx"|"max"|"add", f: field, v: value, lim: limit (add only) }
 * Returns JSON: [{ s: "ok"|"dup"|"late", c: {"counter:windowMs": value}, f: {facts},
 *                  a: {set: {size, new}}, b: {counter: {m, v, n, x}}, l: listEntry|false }]
 *
 * Keys (suffixes of KEYS[1]):
 *   :dd:<eventId>            dedupe marker, SET NX PX ttl (exactly-once effect)
 *   :facts                   hash of facts (+ "_wm", the newest event time seen = watermark)
 *   :cnt:<counter>:<w>       hash bucketIndex -> count/sum for window w
 *   :hll:<counter>:<w>:<b>   HyperLogLog of the window ending in bucket b (distinct counts)
 *   :set:<name>              bounded hash member -> first-seen time (first-seen devices, IPs, ...)
 *   :bl:<counter>            baseline: p (period), x (value in period), m (mean), v (variance), n
 *   KEYS[2]                  allow/deny list entry (written by the lists API), read only here
 */
export const COUNTERS_SCRIPT_NAME = 'vigilCountersApply';

export const COUNTERS_LUA = `
local base = KEYS[1]
local p = cjson.decode(ARGV[1])
local ttl, late, N, alpha = p.ttl, p.late, p.n, p.alpha
local factsKey = base .. ':facts'
local wm = tonumber(redis.call('HGET', factsKey, '_wm') or '0')
local out = {}

local function bucketSize(w) return math.max(1, math.floor(w / N)) end

local function trim(key, b, bs)
  -- keep the hash bounded: drop buckets older than the window plus the lateness
  local keep = N + math.ceil(late / bs) + 1
  if redis.call('HLEN', key) > keep + 2 then
    for _, field in ipairs(redis.call('HKEYS', key)) do
      if tonumber(field) < b - keep then redis.call('HDEL', key, field) end
    end
  end
end

local function fold(bl, x)
  local d = x - bl.m
  bl.m = bl.m + alpha * d
  bl.v = (1 - alpha) * (bl.v + alpha * d * d)
  bl.n = bl.n + 1
end

for i, e in ipairs(p.events) do
  local r = { c = {}, a = {}, b = {} }
  if e.lt or (wm > 0 and e.t < wm - late) then
    r.s = 'late'
  else
    if redis.call('SET', base .. ':dd:' .. e.id, '1', 'NX', 'PX', ttl) then r.s = 'ok' else r.s = 'dup' end
  end
  if r.s == 'ok' and e.t > wm then
    wm = e.t
    redis.call('HSET', factsKey, '_wm', wm)
  end
  if r.s ~= 'dup' then
    -- facts: a late event still applies the order-independent ones (max, setnx, add: the same
    -- result whatever the arrival order, and idempotent); only 'set' (last write wins) needs order
    for _, f in ipairs(e.f) do
      if f.o == 'set' then
        if r.s == 'ok' then redis.call('HSET', factsKey, f.f, f.v) end
      elseif f.o == 'setnx' then
        redis.call('HSETNX', factsKey, f.f, f.v)
      elseif f.o == 'max' then
        local cur = tonumber(redis.call('HGET', factsKey, f.f) or '')
        if cur == nil or f.v > cur then redis.call('HSET', factsKey, f.f, f.v) end
      elseif f.o == 'add' then
        local k = base .. ':set:' .. f.f
        local isNew = redis.call('HEXISTS', k, f.v) == 0
        if isNew and redis.call('HLEN', k) < f.lim then redis.call('HSET', k, f.v, e.t) end
        redis.call('PEXPIRE', k, ttl)
        r.a[f.f] = { new = isNew }
      end
    end
  end
  if r.s == 'ok' then
    for _, u in ipairs(e.u) do
      for _, w in ipairs(u.w) do
        local bs = bucketSize(w)
        local b = math.floor(e.t / bs)
        if u.k == 'distinct' then
          -- key j holds the union of the window ending in bucket j, so the member goes into the
          -- N windows that contain its bucket and a read is one cached single-key PFCOUNT
          -- (a multi-key PFCOUNT would merge N sketches on every read and is never cached)
          for j = b, b + N - 1 do
            local k = base .. ':hll:' .. u.c .. ':' .. w .. ':' .. j
            redis.call('PFADD', k, u.v)
            redis.call('PEXPIRE', k, ttl)
          end
        else
          local k = base .. ':cnt:' .. u.c .. ':' .. w
          redis.call('HINCRBYFLOAT', k, b, u.v)
          redis.call('PEXPIRE', k, ttl)
          trim(k, b, bs)
        end
      end
      if u.bl and u.k ~= 'distinct' then
        local w = u.w[1]
        local k = base .. ':bl:' .. u.c
        local h = redis.call('HMGET', k, 'p', 'x', 'm', 'v', 'n')
        local period = math.floor(e.t / w)
        local bl = { p = tonumber(h[1] or period), x = tonumber(h[2] or '0'), m = tonumber(h[3] or '0'), v = tonumber(h[4] or '0'), n = tonumber(h[5] or '0') }
        if period > bl.p then
          -- close the finished period, then count the empty periods in between (capped)
          fold(bl, bl.x)
          for _ = 1, math.min(period - bl.p - 1, 50) do fold(bl, 0) end
          bl.p = period
          bl.x = 0
        end
        if period == bl.p then bl.x = bl.x + u.v end
        redis.call('HSET', k, 'p', bl.p, 'x', bl.x, 'm', bl.m, 'v', bl.v, 'n', bl.n)
        redis.call('PEXPIRE', k, ttl)
      end
    end
  end
  if r.s ~= 'late' then
    -- read back the values as of this event's time (also for duplicates, so a redelivered
    -- batch re-evaluates its rules and republishes the same deterministic signals)
    for _, u in ipairs(e.u) do
      for _, w in ipairs(u.w) do
        local bs = bucketSize(w)
        local b = math.floor(e.t / bs)
        if u.k == 'distinct' then
          r.c[u.c .. ':' .. w] = redis.call('PFCOUNT', base .. ':hll:' .. u.c .. ':' .. w .. ':' .. b)
        else
          local fields = {}
          for j = b - N + 1, b do fields[#fields + 1] = j end
          local total = 0
          for _, v in ipairs(redis.call('HMGET', base .. ':cnt:' .. u.c .. ':' .. w, unpack(fields))) do
            if v then total = total + tonumber(v) end
          end
          r.c[u.c .. ':' .. w] = total
        end
      end
      if u.bl and u.k ~= 'distinct' then
        local h = redis.call('HMGET', base .. ':bl:' .. u.c, 'x', 'm', 'v', 'n')
        r.b[u.c] = { x = tonumber(h[1] or '0'), m = tonumber(h[2] or '0'), v = tonumber(h[3] or '0'), n = tonumber(h[4] or '0') }
      end
    end
    for _, f in ipairs(e.f) do
      if f.o == 'add' then
        local entry = r.a[f.f]
        if entry == nil then
          -- a duplicate: the member was new for this event if its first-seen time is this event's
          entry = { new = redis.call('HGET', base .. ':set:' .. f.f, f.v) == tostring(e.t) }
        end
        entry.size = redis.call('HLEN', base .. ':set:' .. f.f)
        r.a[f.f] = entry
      end
    end
    local facts = redis.call('HGETALL', factsKey)
    r.f = {}
    for j = 1, #facts, 2 do r.f[facts[j]] = facts[j + 1] end
    r.l = redis.call('GET', KEYS[2])
  end
  redis.call('PEXPIRE', factsKey, ttl)
  out[i] = r
end
return cjson.encode(out)
`;

/*
 * Claims "rule R fired for subject S in bucket B" at most once. The value is the signal id, so a
 * redelivered batch that re-derives the same signal may publish it again (same id, deduplicated
 * downstream), while a different triggering event in the same bucket is suppressed.
 * KEYS[1] = claim key; ARGV = signalId, ttlMs. Returns 1 when the caller may publish.
 */
export const CLAIM_SCRIPT_NAME = 'vigilClaimOnce';
export const CLAIM_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
`;
