/*
 * The one script that updates and reads every counter, fact and set of ONE entity for all the
 * events of a batch that concern it. The engine sends one call per entity, all in one pipeline:
 * one round trip per batch. It touches only the keys it is given, all of one entity and sharing
 * its hash tag "{tenant:type:id}" (one Redis Cluster slot):
 *   KEYS[1..4] the entity's :facts, :dd, :cnt and :dst ("<prefix>:{tenant:type:id}[:namespace]:<suffix>"),
 *   KEYS[5]    its allow/deny list entry "<prefix>:{tenant:type:id}:list" (read only here),
 *   KEYS[6]    its replay record ":last" (below),
 *   KEYS[7..]  its first-seen sets ":set:<name>" named by this call's 'add' facts, in the order of p.sets.
 *
 * ARGV[1] (JSON): { ttl, late, n, alpha, cap, redo, sets: [set name], events: [{ id, t, lt, u: [update], f: [factOp] }] }
 *   e.lt: late by the stream's judgement (beyond the allowed lateness behind the released frontier)
 *   update: { c: counter, k: "count"|"sum"|"distinct", v: number|string, w: [windowMs], bl: bool }
 *   factOp: { o: "set"|"setnx"|"max"|"add", f: field, v: value, lim: limit (add only) }
 * Returns JSON: [{ s: "ok"|"dup"|"settled"|"late", c: {"counter:windowMs": value}, f: {facts},
 *                  a: {set: {size, new}}, b: {counter: {m, v, n, x}}, l: listEntry|false }]
 *
 * Four keys per entity plus its sets, all small hashes or sorted sets that Redis
 * stores as compact listpacks; each is trimmed by event time and expires ttl after its last write:
 *   :facts  hash of facts (+ "_wm", the newest event time seen = the entity's watermark)
 *   :dd     sorted set eventId -> event time: exactly-once effect. Only events within the allowed
 *           lateness of the watermark are kept: an older one is 'late' before it is looked up.
 *   :cnt    hash "<counter>|<windowMs>|<bucket>" -> count/sum of that sub-bucket (a window is the
 *           sum of its N sub-buckets at read time) and "<counter>|bl|<p|x|m|v|n>" -> baseline
 *   :dst    hash "<counter>|<member>" -> the member's newest event time, "#<counter>" -> members
 *           stored: a distinct count over a window is the number of members seen in its sub-buckets
 *           (exact, where a HyperLogLog per sub-bucket would cost a key and ~100 bytes each).
 *           At most `cap` members per counter: beyond it the count saturates (rules compare with
 *           thresholds far below it), which bounds memory and the cost of a read.
 *   :set:<name>  bounded hash member -> first-seen time (first-seen devices, IPs, ...)
 *   :last   the entity's last call that counted something: { r: results by event id of all but its
 *           final event, f: the final event's id }, expiring `redo` ms after it was written.
 *           A consumer that dies after a chunk's calls and before its offset commit has its
 *           successor redeliver events whose successors the state already holds; reading it again
 *           would show them those successors. So a duplicate gets, from the record:
 *             - in r: its first-pass result back (the rules re-derive exactly the same signals);
 *             - the final event f: the state as it stands (it is the entity's newest event);
 *             - neither: status 'settled'. Its chunk came before the entity's last call, and the
 *               consumer publishes a chunk's signals before it starts the next chunk, so they are
 *               out already: no values, nothing to evaluate.
 *           Redelivered events come in the same order, so an entity's duplicates all precede its
 *           first new event: only a call that counts something replaces the record. Without a
 *           record (older than `redo`), a duplicate reads the state as it stands. The record is
 *           consulted before the lateness test: a call's later events may have moved the
 *           watermark more than the allowed lateness past its earlier ones (a chunk can span more
 *           event time than that), which a redelivery must not take for lateness.
 * An out-of-order event (within the lateness) reads the windows ending at its own time; a member
 * seen again by a later event counts there with its newest time.
 */
export const COUNTERS_SCRIPT_NAME = 'vigilCountersApply';

export const COUNTERS_LUA = `
local p = cjson.decode(ARGV[1])
local ttl, late, N, alpha, cap = p.ttl, p.late, p.n, p.alpha, p.cap
local factsKey, ddKey, cntKey, dstKey, listKey, lastKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
-- the first-seen sets of this call, declared by the caller in the order of p.sets
local setKeys = {}
for i, name in ipairs(p.sets) do setKeys[name] = KEYS[6 + i] end
local lastRaw = redis.call('GET', lastKey)
local replay = lastRaw and cjson.decode(lastRaw) or nil
local counted = false
local wm = tonumber(redis.call('HGET', factsKey, '_wm') or '0')
local out = {}
-- The state after each event depends only on the entity's events so far, never on how they were
-- split into calls (chunking follows fetch timing): trims run after each counted event, and the
-- longest window of each distinct counter is stored in the hash ("~<counter>"), not per call.
local live = {}
local function liveOf(key)
  if live[key] == nil then live[key] = tonumber(redis.call('HGET', key, '_live') or '0') end
  return live[key]
end
local longest = {}
local function noteLongest(c, w)
  if longest[c] == nil then longest[c] = tonumber(redis.call('HGET', dstKey, '~' .. c) or '0') end
  if w > longest[c] then
    longest[c] = w
    redis.call('HSET', dstKey, '~' .. c, w)
  end
end

local function bucketSize(w) return math.max(1, math.floor(w / N)) end
local function keepBuckets(bs) return N + math.ceil(late / bs) + 1 end

-- Drops sub-buckets older than their window plus the lateness. Amortised: only when the hash has
-- doubled since the last trim (its live size is kept in "_live").
local function trimCounts()
  local len = redis.call('HLEN', cntKey)
  if len <= math.max(64, 2 * liveOf(cntKey)) then return end
  local dead = {}
  for _, field in ipairs(redis.call('HKEYS', cntKey)) do
    local w, b = string.match(field, '|(%d+)|(%d+)$')
    if w then
      local bs = bucketSize(tonumber(w))
      if tonumber(b) < math.floor(wm / bs) - keepBuckets(bs) then dead[#dead + 1] = field end
    end
  end
  for j = 1, #dead, 500 do redis.call('HDEL', cntKey, unpack(dead, j, math.min(j + 499, #dead))) end
  live[cntKey] = len - #dead
  redis.call('HSET', cntKey, '_live', live[cntKey])
end

-- Drops members not seen within their counter's longest window plus the lateness and recounts.
local function trimDistinct(force)
  local len = redis.call('HLEN', dstKey)
  if not force and len <= math.max(64, 2 * liveOf(dstKey)) then return end
  local all = redis.call('HGETALL', dstKey)
  local dead, counts, windows = {}, {}, {}
  for j = 1, #all, 2 do
    if string.sub(all[j], 1, 1) == '~' then windows[string.sub(all[j], 2)] = tonumber(all[j + 1]) end
  end
  for j = 1, #all, 2 do
    local c = string.match(all[j], '^([^#~][^|]*)|')
    if c then
      if tonumber(all[j + 1]) < wm - (windows[c] or (ttl - late)) - late then
        dead[#dead + 1] = all[j]
      else
        counts[c] = (counts[c] or 0) + 1
      end
    elseif string.sub(all[j], 1, 1) == '#' then
      counts[string.sub(all[j], 2)] = counts[string.sub(all[j], 2)] or 0
    end
  end
  for j = 1, #dead, 500 do redis.call('HDEL', dstKey, unpack(dead, j, math.min(j + 499, #dead))) end
  for c, n in pairs(counts) do redis.call('HSET', dstKey, '#' .. c, n) end
  live[dstKey] = len - #dead
  redis.call('HSET', dstKey, '_live', live[dstKey], '_tw', wm)
end

local function addMember(c, member, t)
  local field = c .. '|' .. member
  local seen = tonumber(redis.call('HGET', dstKey, field) or '')
  if seen then
    if t > seen then redis.call('HSET', dstKey, field, t) end
    return
  end
  if tonumber(redis.call('HGET', dstKey, '#' .. c) or '0') >= cap then
    -- full: make room from members that left every window, at most once per minute of event time
    if wm - tonumber(redis.call('HGET', dstKey, '_tw') or '0') < 60000 then return end
    trimDistinct(true)
    if tonumber(redis.call('HGET', dstKey, '#' .. c) or '0') >= cap then return end
  end
  redis.call('HSET', dstKey, field, t)
  redis.call('HINCRBY', dstKey, '#' .. c, 1)
end

-- Distinct counts of the windows ending at time t, for every distinct update of an event.
local function readDistinct(e, r)
  local wanted = {}
  for _, u in ipairs(e.u) do
    if u.k == 'distinct' then
      for _, w in ipairs(u.w) do
        local bs = bucketSize(w)
        wanted[#wanted + 1] = { c = u.c, key = u.c .. ':' .. w, bs = bs, from = math.floor(e.t / bs) - N + 1 }
        r.c[u.c .. ':' .. w] = 0
      end
    end
  end
  if #wanted == 0 then return end
  local all = redis.call('HGETALL', dstKey)
  for j = 1, #all, 2 do
    local c = string.match(all[j], '^([^#~][^|]*)|')
    if c then
      local seen = tonumber(all[j + 1])
      for _, q in ipairs(wanted) do
        if q.c == c and math.floor(seen / q.bs) >= q.from then r.c[q.key] = r.c[q.key] + 1 end
      end
    end
  end
end

local function fold(bl, x)
  local d = x - bl.m
  bl.m = bl.m + alpha * d
  bl.v = (1 - alpha) * (bl.v + alpha * d * d)
  bl.n = bl.n + 1
end

local function baselineFields(c)
  return c .. '|bl|p', c .. '|bl|x', c .. '|bl|m', c .. '|bl|v', c .. '|bl|n'
end

for i, e in ipairs(p.events) do
  local r = { c = {}, a = {}, b = {} }
  local firstPass = replay and replay.r[e.id]
  if firstPass then
    r.s = 'dup'
  elseif e.lt or (wm > 0 and e.t < wm - late) then
    r.s = 'late'
  elseif redis.call('ZADD', ddKey, 'NX', e.t, e.id) == 1 then
    r.s = 'ok'
  else
    r.s = 'dup'
  end
  if firstPass then
    -- redelivered after a crash or a failed attempt: the first pass's result (see :last above),
    -- looked up before the lateness test, since later events of its call may have moved the
    -- watermark more than the allowed lateness past it
    r = firstPass
    if r.s ~= 'settled' then r.s = 'dup' end
  elseif r.s == 'dup' and replay and replay.f ~= e.id then
    r.s = 'settled'
  else
  if r.s == 'ok' then counted = true end
  if r.s == 'ok' and e.t > wm then
    wm = e.t
    redis.call('HSET', factsKey, '_wm', wm)
    redis.call('ZREMRANGEBYSCORE', ddKey, '-inf', '(' .. (wm - late))
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
        local k = setKeys[f.f]
        local isNew = redis.call('HEXISTS', k, f.v) == 0
        if isNew and redis.call('HLEN', k) < f.lim then redis.call('HSET', k, f.v, e.t) end
        redis.call('PEXPIRE', k, ttl)
        r.a[f.f] = { new = isNew }
      end
    end
  end
  if r.s == 'ok' then
    for _, u in ipairs(e.u) do
      if u.k == 'distinct' then
        for _, w in ipairs(u.w) do noteLongest(u.c, w) end
        addMember(u.c, u.v, e.t)
      else
        for _, w in ipairs(u.w) do
          redis.call('HINCRBYFLOAT', cntKey, u.c .. '|' .. w .. '|' .. math.floor(e.t / bucketSize(w)), u.v)
        end
      end
      if u.bl and u.k ~= 'distinct' then
        local w = u.w[1]
        local h = redis.call('HMGET', cntKey, baselineFields(u.c))
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
        local fp, fx, fm, fv, fn = baselineFields(u.c)
        redis.call('HSET', cntKey, fp, bl.p, fx, bl.x, fm, bl.m, fv, bl.v, fn, bl.n)
      end
    end
  end
  if r.s == 'ok' then
    trimCounts()
    trimDistinct(false)
  end
  if r.s ~= 'late' then
    -- read back the values as of this event's time (also for duplicates, so a redelivered
    -- batch re-evaluates its rules and republishes the same deterministic signals)
    for _, u in ipairs(e.u) do
      if u.k ~= 'distinct' then
        for _, w in ipairs(u.w) do
          local b = math.floor(e.t / bucketSize(w))
          local fields = {}
          for j = b - N + 1, b do fields[#fields + 1] = u.c .. '|' .. w .. '|' .. j end
          local total = 0
          for _, v in ipairs(redis.call('HMGET', cntKey, unpack(fields))) do
            if v then total = total + tonumber(v) end
          end
          r.c[u.c .. ':' .. w] = total
        end
      end
      if u.bl and u.k ~= 'distinct' then
        local fp, fx, fm, fv, fn = baselineFields(u.c)
        local h = redis.call('HMGET', cntKey, fx, fm, fv, fn)
        r.b[u.c] = { x = tonumber(h[1] or '0'), m = tonumber(h[2] or '0'), v = tonumber(h[3] or '0'), n = tonumber(h[4] or '0') }
      end
    end
    readDistinct(e, r)
    for _, f in ipairs(e.f) do
      if f.o == 'add' then
        local entry = r.a[f.f]
        if entry == nil then
          -- a duplicate: the member was new for this event if its first-seen time is this event's
          entry = { new = redis.call('HGET', setKeys[f.f], f.v) == tostring(e.t) }
        end
        entry.size = redis.call('HLEN', setKeys[f.f])
        r.a[f.f] = entry
      end
    end
    local facts = redis.call('HGETALL', factsKey)
    r.f = {}
    for j = 1, #facts, 2 do r.f[facts[j]] = facts[j + 1] end
    r.l = redis.call('GET', listKey)
  end
  end
  out[i] = r
end
for _, k in ipairs({ factsKey, ddKey, cntKey, dstKey }) do redis.call('PEXPIRE', k, ttl) end
if counted then
  -- Only an event followed by another in the same call can be shown its successors on a
  -- redelivery: the final one reads back the state it left (see :last above).
  local final = 0
  for i = #p.events, 1, -1 do
    if out[i].s ~= 'late' then final = i break end
  end
  local record = { r = {}, f = p.events[final].id }
  for i, e in ipairs(p.events) do
    if i < final and out[i].s ~= 'late' then record.r[e.id] = out[i] end
  end
  -- cjson writes an empty table as {} (an object), which is what r is
  redis.call('SET', lastKey, cjson.encode(record), 'PX', math.min(p.redo, ttl))
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
