/*
 * Lua scripts of the alert read model. Every script touches only keys its caller declares in
 * KEYS (alert-store.ts computes them), all of one subject (one hash tag, one Redis Cluster slot)
 * or of one global tag: a script builds no key name, as a Cluster requires.
 */

/**
 * Signals of ONE subject -> its alerts, in order, atomically: dedupe by signalId, subject+rule
 * snooze, join the open alert (new rule within the window of its last signal, repeat of a rule
 * within the cooldown of that rule's last signal) or open a new one, keep each rule's largest
 * contribution, recompute score = 100 × (1 − Π(1 − c_rule)) and severity, append the signal,
 * refresh TTLs.
 *
 * Which alert documents a signal touches is read from the subject's keys (the signal's dedupe
 * record, the open-alert pointer, the alert counter), so the caller reads those first and
 * declares every document they can lead to: the alerts they name and the next n alert ids (n =
 * the call's signals). The script checks the values it was given are still current (another
 * instance may have written in between) and otherwise changes nothing and returns {'stale'}: the
 * caller reads again and retries.
 *
 * KEYS: see p.k below (indexes into KEYS). ARGV[1] JSON {windowMs, cooldownMs, retentionMs,
 * thresholds "medium:40,high:70,critical:90", subjectJson, nowMs, alertIdBase, open, seq (the
 * values read: "" when absent), k: {open, seq}, docs: {alertId: [doc, doc:signals]}};
 * ARGV[2] JSON list of {signalId, rule, t, c, json, iso, seen (sig value read), k: {sig, snooze}}.
 * Returns one {action, alertId, docFlat, signals} per signal (action: created|updated|duplicate|
 * snoozed), or {'stale'}.
 */
export const APPLY_SIGNAL_LUA = `
local p = cjson.decode(ARGV[1])
local signals = cjson.decode(ARGV[2])
local retention = p.retentionMs
local openKey, seqKey = KEYS[p.k.open], KEYS[p.k.seq]
-- the values the caller derived its keys from must still hold
if (redis.call('GET', openKey) or '') ~= p.open or (redis.call('GET', seqKey) or '') ~= p.seq then return {'stale'} end
for _, s in ipairs(signals) do
  if (redis.call('GET', KEYS[s.k.sig]) or '') ~= s.seen then return {'stale'} end
end
local function docKeys(id)
  local d = p.docs[id]
  -- cannot happen once the values above held: every id the script meets was declared
  if not d then error('alertingApplySignal: alert ' .. id .. ' not declared') end
  return KEYS[d[1]], KEYS[d[2]]
end
local function state(id)
  local doc, list = docKeys(id)
  return {redis.call('HGETALL', doc), redis.call('LRANGE', list, 0, -1)}
end
local function apply(s)
  local sigKey = KEYS[s.k.sig]
  local seenIn = redis.call('GET', sigKey)
  if seenIn then
    local st = state(seenIn)
    return {'duplicate', seenIn, st[1], st[2]}
  end
  local rule = s.rule
  if redis.call('EXISTS', KEYS[s.k.snooze]) == 1 then return {'snoozed', '', {}, {}} end
  local t = tonumber(s.t)
  local c = tonumber(s.c)
  local alertId = redis.call('GET', openKey)
  local join = false
  if alertId then
    local f = redis.call('HMGET', (docKeys(alertId)), 'status', 'lastSeenMs', 'l:' .. rule)
    if f[1] and f[1] ~= 'confirmed_fraud' and f[1] ~= 'false_positive' then
      if f[3] then join = (t - tonumber(f[3])) <= p.cooldownMs
      else join = (t - tonumber(f[2])) <= p.windowMs end
    end
  end
  local action = 'updated'
  if not join then
    -- the subject's n-th alert: deterministic whatever signal opened it (the counter outlives the alerts)
    alertId = p.alertIdBase .. '-' .. redis.call('INCR', seqKey)
    redis.call('PEXPIRE', seqKey, 4 * retention)
    action = 'created'
    redis.call('HSET', (docKeys(alertId)), 'alertId', alertId, 'subject', p.subjectJson, 'status', 'open',
      'revision', 0, 'firstSeenMs', s.t, 'firstSeenAt', s.iso, 'lastSeenMs', s.t, 'lastSeenAt', s.iso, 'createdMs', p.nowMs)
  end
  local docKey, listKey = docKeys(alertId)
  local prev = tonumber(redis.call('HGET', docKey, 'c:' .. rule) or '0')
  if c > prev then redis.call('HSET', docKey, 'c:' .. rule, s.c) end
  local lastOfRule = redis.call('HGET', docKey, 'l:' .. rule)
  if (not lastOfRule) or t > tonumber(lastOfRule) then redis.call('HSET', docKey, 'l:' .. rule, s.t) end
  if t < tonumber(redis.call('HGET', docKey, 'firstSeenMs')) then
    redis.call('HSET', docKey, 'firstSeenMs', s.t, 'firstSeenAt', s.iso)
  end
  if t > tonumber(redis.call('HGET', docKey, 'lastSeenMs')) then
    redis.call('HSET', docKey, 'lastSeenMs', s.t, 'lastSeenAt', s.iso)
  end
  local all = redis.call('HGETALL', docKey)
  local miss = 1
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, 2) == 'c:' then miss = miss * (1 - tonumber(all[i + 1])) end
  end
  local score = math.floor(1000 * (1 - miss) + 0.5) / 10
  local severity = 'low'
  local best = -1
  for name, min in string.gmatch(p.thresholds, '([%w_]+):([%d%.]+)') do
    local m = tonumber(min)
    if score >= m and m > best then severity = name; best = m end
  end
  redis.call('HSET', docKey, 'score', tostring(score), 'severity', severity)
  redis.call('HINCRBY', docKey, 'revision', 1)
  redis.call('RPUSH', listKey, s.json)
  redis.call('LTRIM', listKey, -200, -1)
  redis.call('PEXPIRE', docKey, retention)
  redis.call('PEXPIRE', listKey, retention)
  redis.call('SET', openKey, alertId, 'PX', retention)
  redis.call('SET', sigKey, alertId, 'PX', retention)
  local st = state(alertId)
  return {action, alertId, st[1], st[2]}
end
local out = {}
for i, s in ipairs(signals) do out[i] = apply(s) end
return out
`;

/**
 * Analyst decision or case action -> alert state, deduped by decisionId. Acknowledging never
 * reopens a decided alert; a terminal decision closes the open-alert pointer so the next signal
 * opens a new episode; assigned/unassigned compare-and-set the holder; commented only records.
 * KEYS: the alert's document, its decisions list, the decision's dedupe key, the subject's
 * open-alert pointer. ARGV: alertId, decisionId, decision, decidedMs, decisionJson, retentionMs,
 * assignee, previousAssignee. Returns {outcome, previousStatus, createdMs (conflict: the holder),
 * firstDecision ("1" if this is the first verdict), docFlat}; outcome applied|duplicate|missing|conflict.
 */
export const APPLY_DECISION_LUA = `
local docKey, listKey, decisionKey, openKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local retention = tonumber(ARGV[6])
if redis.call('EXISTS', docKey) == 0 then return {'missing', '', '', '', {}} end
if not redis.call('SET', decisionKey, '1', 'NX', 'PX', retention) then
  return {'duplicate', '', '', '', {}}
end
local previous = redis.call('HGET', docKey, 'status')
local decision = ARGV[3]
local first = '0'
if decision == 'assigned' or decision == 'unassigned' then
  -- the lock: applied only if the holder is still the one the analyst saw (ARGV[8])
  local holder = redis.call('HGET', docKey, 'assignee') or ''
  if holder ~= ARGV[8] then return {'conflict', previous, holder, '', {}} end
  if decision == 'assigned' then redis.call('HSET', docKey, 'assignee', ARGV[7], 'assignedMs', ARGV[4])
  else redis.call('HDEL', docKey, 'assignee', 'assignedMs') end
elseif decision ~= 'commented' then
  if decision ~= 'acknowledged' or previous == 'open' then redis.call('HSET', docKey, 'status', decision) end
  if redis.call('HSETNX', docKey, 'firstDecisionMs', ARGV[4]) == 1 then first = '1' end
end
redis.call('RPUSH', listKey, ARGV[5])
redis.call('LTRIM', listKey, -200, -1)
redis.call('PEXPIRE', listKey, retention)
if (decision == 'confirmed_fraud' or decision == 'false_positive') and redis.call('GET', openKey) == ARGV[1] then redis.call('DEL', openKey) end
return {'applied', previous, redis.call('HGET', docKey, 'createdMs'), first, redis.call('HGETALL', docKey)}
`;

/**
 * Indexes (global keys, one hash tag): KEYS[1] sorted set alertId -> last update of every alert
 * within the retention, KEYS[2] hash alertId -> subject key base (how a decision finds its alert),
 * both trimmed by AGE only, so no tenant's traffic can evict another's alert or lose a decision;
 * then one sorted set per tenant (KEYS[3..], the dashboard list of that tenant), each trimmed to
 * ARGV[1] entries. ARGV: max, retentionMs, nowMs, then (alertId, base, tenant key index) triples.
 */
export const INDEX_ALERTS_LUA = `
local max, retention, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], now, ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[tonumber(ARGV[i + 2])], now, ARGV[i])
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - retention))
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - retention))
  for i = 1, #expired, 500 do redis.call('HDEL', KEYS[2], unpack(expired, i, math.min(i + 499, #expired))) end
end
redis.call('PEXPIRE', KEYS[1], retention)
redis.call('PEXPIRE', KEYS[2], retention)
for k = 3, #KEYS do
  local n = redis.call('ZCARD', KEYS[k])
  if n > max then redis.call('ZREMRANGEBYRANK', KEYS[k], 0, n - max - 1) end
  redis.call('PEXPIRE', KEYS[k], retention)
end
return #expired
`;

/**
 * Search index of one tenant (all keys share the tag {alerting-search:<tenant>}: one slot).
 * KEYS[1] the tenant's time index, KEYS[2..] its named index keys (entity, subject, rule:
 * "<KEYS[1]>:<name>"); ARGV: maxAll, maxPerKey, retentionMs, then per alert: alertId, score
 * (first-seen event time), n, then the KEYS indexes of its n named keys. Every key is capped
 * (oldest dropped) and expires.
 */
export const INDEX_SEARCH_LUA = `
local maxAll, maxKey, retention = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local i = 4
while i <= #ARGV do
  local id, score, n = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  redis.call('ZADD', KEYS[1], score, id)
  for j = 1, n do
    local key = KEYS[tonumber(ARGV[i + 2 + j])]
    redis.call('ZADD', key, score, id)
    local c = redis.call('ZCARD', key)
    if c > maxKey then redis.call('ZREMRANGEBYRANK', key, 0, c - maxKey - 1) end
    redis.call('PEXPIRE', key, retention)
  end
  i = i + 3 + n
end
local c = redis.call('ZCARD', KEYS[1])
if c > maxAll then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, c - maxAll - 1) end
redis.call('PEXPIRE', KEYS[1], retention)
return c
`;
