/**
 * One script call per tenant of a consumed batch: for every event it dedupes by event id,
 * updates the review-analysis state and reads back the facts the detectors need, atomically.
 *
 * KEYS[1] the tenant's review state base "<prefix>:{<tenant>:review-analysis:state}";
 * ARGV[1] parameters (JSON), ARGV[2] the tenant's items of the batch (JSON array).
 * Returns one JSON string per item: the facts computed when the event was first processed.
 * The facts are stored under the event's dedupe key, so a redelivered event (crash between
 * this script and publishing) yields the very same facts, hence the same signals and ids,
 * without counting the event twice.
 *
 * A review reads the state of several entities (the author, the seller, the other reviewers of
 * the same items, the authors of similar texts), so one tenant's review state shares one hash
 * tag: every key is KEYS[1] .. ':<type>:<id>:<suffix>', in the slot of KEYS[1] on a Redis
 * Cluster (a tenant's review state lives on one primary; tenants spread over the cluster).
 * Every key written gets a TTL here.
 */
export const REVIEW_STATE_SCRIPT = 'vigilReviewAnalysisApply';

export const REVIEW_STATE_LUA = `
local base = KEYS[1]
local p = cjson.decode(ARGV[1])
local items = cjson.decode(ARGV[2])
local HOUR = 3600000
local DAY = 86400000

-- tenant is implied by base (one call per tenant); kept as a parameter for readability at call sites
local function key(tenant, etype, id, suffix)
  return base .. ':' .. etype .. ':' .. id .. ':' .. suffix
end

local function addLinks(tenant, account, t, links)
  if #links == 0 then return end
  local k = key(tenant, 'account', account, 'links')
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
local function ratings(tenant, etype, id, t, rating)
  local hour = math.floor(t / HOUR)
  local day = math.floor(t / DAY)
  local k = key(tenant, etype, id, 'ratings')
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

local function review(it)
  local T = it.tenant
  local res = {}
  local created = redis.call('GET', key(T, 'account', it.author, 'created'))
  res.authorCreatedMs = created and tonumber(created) or -1

  addLinks(T, it.author, it.t, it.links)
  local shared = {}
  if it.author == it.seller then
    shared[1] = 'account:same'
  else
    local theirs = {}
    for _, l in ipairs(redis.call('ZRANGE', key(T, 'account', it.seller, 'links'), 0, -1)) do theirs[l] = true end
    for _, l in ipairs(redis.call('ZRANGE', key(T, 'account', it.author, 'links'), 0, -1)) do
      if theirs[l] then shared[#shared + 1] = l end
    end
  end
  res.sharedLinks = shared

  local sk = key(T, 'account', it.author, 'sellers')
  res.sellersBoughtFrom = redis.call('HLEN', sk)
  res.ordersAtSeller = tonumber(redis.call('HGET', sk, it.seller) or '0')

  res.seller = ratings(T, 'seller', it.seller, it.t, it.rating)
  if it.product then res.product = ratings(T, 'product', it.product, it.t, it.rating) end

  local sellers = windowSet(key(T, 'account', it.author, 'rev-sellers'), it.seller, it.t, p.hireWindowMs, 200)
  res.sellersReviewed = #sellers
  res.sellersReviewedSample = firstN(sellers, 20)

  local itemType = it.product and 'product' or 'seller'
  local itemId = it.product or it.seller
  local myItems = windowSet(key(T, 'account', it.author, 'rev-items'), itemType .. ':' .. itemId, it.t, p.hireWindowMs, 200)
  windowSet(key(T, itemType, itemId, 'reviewers'), it.author, it.t, p.hireWindowMs, 500)
  local group = {}
  if #myItems >= p.lockstepMinShared then
    local counts = {}
    local recent = {}
    for i = math.max(1, #myItems - 29), #myItems do
      local tag = myItems[i]
      recent[#recent + 1] = tag
      local sep = string.find(tag, ':', 1, true)
      local authors = redis.call('ZRANGEBYSCORE', key(T, string.sub(tag, 1, sep - 1), string.sub(tag, sep + 1), 'reviewers'),
        string.format('%d', it.t - p.hireWindowMs), string.format('%d', it.t + p.hireWindowMs))
      for _, a in ipairs(authors) do
        if a ~= it.author then counts[a] = (counts[a] or 0) + 1 end
      end
    end
    for a, c in pairs(counts) do
      if c >= p.lockstepMinShared and #group < 50 then group[#group + 1] = { a, c } end
    end
    res.itemsReviewed = recent
  end
  res.lockstepPeers = group

  -- Near-duplicate candidates. Bounded work per review whatever the campaign's size: each LSH
  -- bucket is a sorted set by event time and only its newest p.candidatesPerBand members are
  -- read (a crowded bucket's members all share the band: the newest are as good as any), and the
  -- search stops at p.maxCandidates. At most 2 windows x bands x candidatesPerBand members.
  local candidates = {}
  if it.sig then
    local bucket = math.floor(it.t / p.textWindowMs)
    local member = it.review .. '|' .. it.author .. '|' .. string.format('%d', it.t)
    local seen = {}
    for b = bucket - 1, bucket do
      local sigKey = key(T, 'seller', it.seller, 'sig:' .. b)
      for _, band in ipairs(it.bands) do
        if #candidates >= p.maxCandidates then break end
        for _, m in ipairs(redis.call('ZREVRANGE', key(T, 'seller', it.seller, 'txz:' .. b .. ':' .. band), 0, p.candidatesPerBand - 1)) do
          if m ~= member and not seen[m] then
            seen[m] = true
            local sig = redis.call('HGET', sigKey, m)
            local author = string.match(m, '^[^|]*|([^|]*)|')
            local c = redis.call('GET', key(T, 'account', author, 'created'))
            if sig then candidates[#candidates + 1] = { m, sig, c and tonumber(c) or -1 } end
            if #candidates >= p.maxCandidates then break end
          end
        end
      end
    end
    local sigKey = key(T, 'seller', it.seller, 'sig:' .. bucket)
    if redis.call('HLEN', sigKey) < p.maxTextsPerWindow then
      redis.call('HSET', sigKey, member, it.sig)
      redis.call('PEXPIRE', sigKey, 2 * p.textWindowMs)
      for _, band in ipairs(it.bands) do
        local bk = key(T, 'seller', it.seller, 'txz:' .. bucket .. ':' .. band)
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
    redis.call('SET', key(it.tenant, 'account', it.account, 'created'), string.format('%d', it.createdMs), 'PX', p.linkTtlMs)
  end
  addLinks(it.tenant, it.account, it.t, it.links)
  return {}
end

local function order(it)
  addLinks(it.tenant, it.buyer, it.t, it.links)
  local sk = key(it.tenant, 'account', it.buyer, 'sellers')
  -- bounded: only "one seller or several" matters, so at most 20 sellers are tracked
  if redis.call('HEXISTS', sk, it.seller) == 1 or redis.call('HLEN', sk) < 20 then
    redis.call('HINCRBY', sk, it.seller, 1)
  end
  redis.call('PEXPIRE', sk, p.linkTtlMs)
  return {}
end

local out = {}
for i, it in ipairs(items) do
  local seenKey = key(it.tenant, 'event', it.id, 'seen')
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
