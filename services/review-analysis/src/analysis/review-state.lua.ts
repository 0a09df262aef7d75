/**
 * One script call per tenant of a consumed batch: for every event it dedupes by event id,
 * updates the review-analysis state and reads back the facts the detectors need, atomically.
 *
 * KEYS: every key the call touches, computed by the caller (review-state.store.ts) from the
 * events and parameters, each once; ARGV[1] parameters (JSON), ARGV[2] the tenant's items of
 * the batch (JSON array), each with `k`, its keys as indexes into KEYS. The script builds no key
 * name and reads no key it discovers: on a Redis Cluster a script may touch only declared keys
 * (all of one tenant share the hash tag "{<tenant>:review-analysis:state}", so one slot).
 * Returns one JSON string per item: the facts computed when the event was first processed.
 * The facts are stored under the event's dedupe key, so a redelivered event (crash between
 * this script and publishing) yields the very same facts, hence the same signals and ids,
 * without counting the event twice. Every key written gets a TTL here.
 *
 * What other entities a review needs is known before the call except for two facts, which are
 * therefore kept where the review's own keys find them: the creation time of a similar text's
 * author travels with the text's signature (stored when that text was inserted), and lockstep
 * uses per-tenant pair counts of co-reviews (one hash per lockstep window, "a|b" -> items both
 * reviewed within the window) instead of reading the reviewers of each of the author's items.
 */
export const REVIEW_STATE_SCRIPT = 'vigilReviewAnalysisApply';

export const REVIEW_STATE_LUA = `
local p = cjson.decode(ARGV[1])
local items = cjson.decode(ARGV[2])
local HOUR = 3600000
local DAY = 86400000

local function fmt(n) return string.format('%d', n) end

local function addLinks(k, t, links)
  if #links == 0 then return end
  for _, l in ipairs(links) do
    local old = redis.call('ZSCORE', k, l)
    if (not old) or tonumber(old) < t then redis.call('ZADD', k, t, l) end
  end
  -- bounded: keep the most recently seen links only
  redis.call('ZREMRANGEBYRANK', k, 0, -(p.maxLinks + 1))
  redis.call('PEXPIRE', k, p.linkTtlMs)
end

-- Rating counts of one target live in one hash (fields "d<day>:<rating>" and "h<hour>:<rating>"),
-- so the detectors' four histograms come from a single HMGET instead of one call per bucket.
local function ratings(k, t, rating)
  local hour = math.floor(t / HOUR)
  local day = math.floor(t / DAY)
  redis.call('HINCRBY', k, 'h' .. hour .. ':' .. rating, 1)
  redis.call('HINCRBY', k, 'd' .. day .. ':' .. rating, 1)
  redis.call('PEXPIRE', k, p.dayTtlMs)
  local firstDay = day - math.max(p.baselineDays, p.recentDays + p.historyDays - 1)
  local firstHour = hour - p.burstHours + 1
  -- bounded: when stale buckets accumulate, drop every field outside the retained range
  if redis.call('HLEN', k) > 5 * (day - firstDay + p.burstHours + 2) * 2 then
    for _, f in ipairs(redis.call('HKEYS', k)) do
      local unit, n = string.match(f, '^(%a)(%-?%d+):')
      n = tonumber(n)
      if (unit == 'd' and n < firstDay) or (unit == 'h' and n < firstHour - 1) then redis.call('HDEL', k, f) end
    end
  end
  local fields = {}
  for b = firstDay, day do
    for r = 1, 5 do fields[#fields + 1] = 'd' .. b .. ':' .. r end
  end
  local dayFields = #fields
  for b = firstHour, hour do
    for r = 1, 5 do fields[#fields + 1] = 'h' .. b .. ':' .. r end
  end
  local values = redis.call('HMGET', k, unpack(fields))
  local function sum(fromDay, toDay)
    local h = {0, 0, 0, 0, 0}
    for b = math.max(fromDay, firstDay), toDay do
      for r = 1, 5 do
        local v = values[(b - firstDay) * 5 + r]
        if v then h[r] = h[r] + tonumber(v) end
      end
    end
    return h
  end
  local window = {0, 0, 0, 0, 0}
  for i = dayFields + 1, #fields do
    local v = values[i]
    if v then
      local r = (i - dayFields - 1) % 5 + 1
      window[r] = window[r] + tonumber(v)
    end
  end
  return {
    window = window,
    baseline = sum(day - p.baselineDays, day - 1),
    recent = sum(day - p.recentDays + 1, day),
    history = sum(day - p.recentDays - p.historyDays + 1, day - p.recentDays)
  }
end

-- A sorted set of members by event time, trimmed to two windows and a cap; returns the members
-- within one window of t (either side: events may arrive out of order).
local function windowSet(k, member, t, windowMs, cap)
  local old = redis.call('ZSCORE', k, member)
  if (not old) or tonumber(old) < t then redis.call('ZADD', k, t, member) end
  redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. string.format('%d', t - 2 * windowMs))
  redis.call('ZREMRANGEBYRANK', k, 0, -(cap + 1))
  redis.call('PEXPIRE', k, 2 * windowMs)
  return redis.call('ZRANGEBYSCORE', k, string.format('%d', t - windowMs), string.format('%d', t + windowMs))
end

local function firstN(list, n)
  local out = {}
  for i = 1, math.min(n, #list) do out[i] = list[i] end
  return out
end

-- "a|b" with a < b: one field per pair of accounts whoever reviewed first.
local function pairField(a, b)
  if a < b then return a .. '|' .. b end
  return b .. '|' .. a
end

local function review(it)
  local k = it.k
  local res = {}
  local created = redis.call('GET', KEYS[k.created])
  res.authorCreatedMs = created and tonumber(created) or -1

  addLinks(KEYS[k.links], it.t, it.links)
  local shared = {}
  if it.author == it.seller then
    shared[1] = 'account:same'
  else
    local theirs = {}
    for _, l in ipairs(redis.call('ZRANGE', KEYS[k.sellerLinks], 0, -1)) do theirs[l] = true end
    for _, l in ipairs(redis.call('ZRANGE', KEYS[k.links], 0, -1)) do
      if theirs[l] then shared[#shared + 1] = l end
    end
  end
  res.sharedLinks = shared

  local sk = KEYS[k.sellers]
  res.sellersBoughtFrom = redis.call('HLEN', sk)
  res.ordersAtSeller = tonumber(redis.call('HGET', sk, it.seller) or '0')

  res.seller = ratings(KEYS[k.sellerRatings], it.t, it.rating)
  if it.product then res.product = ratings(KEYS[k.productRatings], it.t, it.rating) end

  local W = p.hireWindowMs
  local sellers = windowSet(KEYS[k.revSellers], it.seller, it.t, W, 200)
  res.sellersReviewed = #sellers
  res.sellersReviewedSample = firstN(sellers, 20)

  -- Lockstep. The item's other reviewers within the window (newest p.coReviewers: bounded work
  -- on a popular item) are the candidates; a first review of the item by this author counts one
  -- co-review for each pair in the window bucket of its event time. Peers: candidates whose
  -- co-reviews with the author over this bucket and the previous one reach lockstepMinShared.
  local itemType = it.product and 'product' or 'seller'
  local itemId = it.product or it.seller
  local myItems = windowSet(KEYS[k.revItems], itemType .. ':' .. itemId, it.t, W, 200)
  local rk = KEYS[k.reviewers]
  local before = redis.call('ZSCORE', rk, it.author)
  local fresh = (not before) or tonumber(before) < it.t - W
  local others = {}
  for _, a in ipairs(redis.call('ZREVRANGEBYSCORE', rk, fmt(it.t + W), fmt(it.t - W), 'LIMIT', 0, p.coReviewers + 1)) do
    if a ~= it.author and #others < p.coReviewers then others[#others + 1] = a end
  end
  windowSet(rk, it.author, it.t, W, 500)
  local pk = KEYS[k.pairs[2]]
  if fresh and #others > 0 then
    -- bounded: a full bucket still counts the pairs it holds, adds no new ones
    local full = redis.call('HLEN', pk) >= p.maxPairs
    for _, a in ipairs(others) do
      local f = pairField(it.author, a)
      if (not full) or redis.call('HEXISTS', pk, f) == 1 then redis.call('HINCRBY', pk, f, 1) end
    end
    redis.call('PEXPIRE', pk, 2 * W)
  end
  local group = {}
  if #myItems >= p.lockstepMinShared and #others > 0 then
    local fields = {}
    for i, a in ipairs(others) do fields[i] = pairField(it.author, a) end
    local now = redis.call('HMGET', pk, unpack(fields))
    local prev = redis.call('HMGET', KEYS[k.pairs[1]], unpack(fields))
    for i, a in ipairs(others) do
      local c = tonumber(now[i] or '0') + tonumber(prev[i] or '0')
      if c >= p.lockstepMinShared then group[#group + 1] = { a, c } end
    end
    local recent = {}
    for i = math.max(1, #myItems - 29), #myItems do recent[#recent + 1] = myItems[i] end
    res.itemsReviewed = recent
  end
  res.lockstepPeers = group

  -- Near-duplicate candidates. Bounded work per review whatever the campaign's size: each LSH
  -- bucket is a sorted set by event time and only its newest p.candidatesPerBand members are
  -- read (a crowded bucket's members all share the band: the newest are as good as any), and the
  -- search stops at p.maxCandidates. At most 2 windows x bands x candidatesPerBand members.
  -- A signature is stored as "<sig>|<author created ms or -1>", so a candidate's author age is
  -- known without reading that account's keys.
  local candidates = {}
  if it.sig then
    local member = it.review .. '|' .. it.author .. '|' .. fmt(it.t)
    local seen = {}
    for w = 1, 2 do
      local sigKey = KEYS[k.sig[w]]
      for j, _ in ipairs(it.bands) do
        if #candidates >= p.maxCandidates then break end
        for _, m in ipairs(redis.call('ZREVRANGE', KEYS[k.txz[w][j]], 0, p.candidatesPerBand - 1)) do
          if m ~= member and not seen[m] then
            seen[m] = true
            local stored = redis.call('HGET', sigKey, m)
            if stored then
              local sig, c = string.match(stored, '^([^|]*)|(%-?%d+)$')
              if sig then candidates[#candidates + 1] = { m, sig, tonumber(c) }
              else candidates[#candidates + 1] = { m, stored, -1 } end
            end
            if #candidates >= p.maxCandidates then break end
          end
        end
      end
    end
    local sigKey = KEYS[k.sig[2]]
    if redis.call('HLEN', sigKey) < p.maxTextsPerWindow then
      redis.call('HSET', sigKey, member, it.sig .. '|' .. fmt(res.authorCreatedMs))
      redis.call('PEXPIRE', sigKey, 2 * p.textWindowMs)
      for j, _ in ipairs(it.bands) do
        local bk = KEYS[k.txz[2][j]]
        redis.call('ZADD', bk, it.t, member)
        redis.call('PEXPIRE', bk, 2 * p.textWindowMs)
      end
    end
  end
  res.textCandidates = candidates
  return res
end

local function account(it)
  if it.createdMs then
    redis.call('SET', KEYS[it.k.created], fmt(it.createdMs), 'PX', p.linkTtlMs)
  end
  addLinks(KEYS[it.k.links], it.t, it.links)
  return {}
end

local function order(it)
  addLinks(KEYS[it.k.links], it.t, it.links)
  local sk = KEYS[it.k.sellers]
  -- bounded: only "one seller or several" matters, so at most 20 sellers are tracked
  if redis.call('HEXISTS', sk, it.seller) == 1 or redis.call('HLEN', sk) < 20 then
    redis.call('HINCRBY', sk, it.seller, 1)
  end
  redis.call('PEXPIRE', sk, p.linkTtlMs)
  return {}
end

local out = {}
for i, it in ipairs(items) do
  local seenKey = KEYS[it.k.seen]
  local stored = redis.call('GET', seenKey)
  if stored then
    out[i] = stored
  else
    local res
    if it.kind == 'review' then res = review(it)
    elseif it.kind == 'order' then res = order(it)
    else res = account(it) end
    res.duplicate = false
    local encoded = cjson.encode(res)
    redis.call('SET', seenKey, encoded, 'PX', p.dedupeTtlMs)
    out[i] = encoded
  end
end
return out
`;
