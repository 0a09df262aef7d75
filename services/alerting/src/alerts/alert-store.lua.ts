/*
 * Lua scripts of the alert read model. Every script touches the keys of one subject (one hash
 * tag, one Redis Cluster slot). KEYS[1] is one of them (routes the call on a cluster); the
 * others are built from ARGV[1], the subject's key base "prefix:{tenant:type:id}:alerting:",
 * which is safe because they share that slot.
 */

/**
 * Signal -> alert, atomically: dedupe by signalId, subject+rule snooze, join the open alert
 * (new rule within the window of its last signal, repeat of a rule within the cooldown of
 * that rule's last signal) or open a new one, keep each rule's largest contribution,
 * recompute score = 100 × (1 − Π(1 − c_rule)) and severity, append the signal, refresh TTLs.
 * ARGV: base, signalId, ruleId, occurredMs, contribution, signalJson, alertIdBase, windowMs,
 *       cooldownMs, retentionMs, thresholds "medium:40,high:70,critical:90", subjectJson,
 *       occurredIso, nowMs.
 * Returns {action, alertId, docFlat, signals}; action: created|updated|duplicate|snoozed.
 */
export const APPLY_SIGNAL_LUA = `
local base = ARGV[1]
local retention = tonumber(ARGV[10])
local sigKey = base .. 'sig:' .. ARGV[2]
local function state(id)
  local key = base .. 'alert:' .. id
  return {redis.call('HGETALL', key), redis.call('LRANGE', key .. ':signals', 0, -1)}
end
local seenIn = redis.call('GET', sigKey)
if seenIn then
  local s = state(seenIn)
  return {'duplicate', seenIn, s[1], s[2]}
end
local rule = ARGV[3]
if redis.call('EXISTS', base .. 'snooze:' .. rule) == 1 then return {'snoozed', '', {}, {}} end
local t = tonumber(ARGV[4])
local c = tonumber(ARGV[5])
local openKey = base .. 'open'
local alertId = redis.call('GET', openKey)
local join = false
if alertId then
  local f = redis.call('HMGET', base .. 'alert:' .. alertId, 'status', 'lastSeenMs', 'l:' .. rule)
  if f[1] and f[1] ~= 'confirmed_fraud' and f[1] ~= 'false_positive' then
    if f[3] then join = (t - tonumber(f[3])) <= tonumber(ARGV[9])
    else join = (t - tonumber(f[2])) <= tonumber(ARGV[8]) end
  end
end
local action = 'updated'
if not join then
  -- the subject's n-th alert: deterministic whatever signal opened it (the counter outlives the alerts)
  local seqKey = base .. 'seq'
  alertId = ARGV[7] .. '-' .. redis.call('INCR', seqKey)
  redis.call('PEXPIRE', seqKey, 4 * retention)
  action = 'created'
  redis.call('HSET', base .. 'alert:' .. alertId, 'alertId', alertId, 'subject', ARGV[12], 'status', 'open',
    'revision', 0, 'firstSeenMs', t, 'firstSeenAt', ARGV[13], 'lastSeenMs', t, 'lastSeenAt', ARGV[13], 'createdMs', ARGV[14])
end
local docKey = base .. 'alert:' .. alertId
local prev = tonumber(redis.call('HGET', docKey, 'c:' .. rule) or '0')
if c > prev then redis.call('HSET', docKey, 'c:' .. rule, ARGV[5]) end
local lastOfRule = redis.call('HGET', docKey, 'l:' .. rule)
if (not lastOfRule) or t > tonumber(lastOfRule) then redis.call('HSET', docKey, 'l:' .. rule, t) end
if t < tonumber(redis.call('HGET', docKey, 'firstSeenMs')) then
  redis.call('HSET', docKey, 'firstSeenMs', t, 'firstSeenAt', ARGV[13])
end
if t > tonumber(redis.call('HGET', docKey, 'lastSeenMs')) then
  redis.call('HSET', docKey, 'lastSeenMs', t, 'lastSeenAt', ARGV[13])
end
local all = redis.call('HGETALL', docKey)
local miss = 1
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'c:' then miss = miss * (1 - tonumber(all[i + 1])) end
end
local score = math.floor(1000 * (1 - miss) + 0.5) / 10
local severity = 'low'
local best = -1
for name, min in string.gmatch(ARGV[11], '([%w_]+):([%d%.]+)') do
  local m = tonumber(min)
  if score >= m and m > best then severity = name; best = m end
end
redis.call('HSET', docKey, 'score', tostring(score), 'severity', severity)
redis.call('HINCRBY', docKey, 'revision', 1)
redis.call('RPUSH', docKey .. ':signals', ARGV[6])
redis.call('LTRIM', docKey .. ':signals', -200, -1)
redis.call('PEXPIRE', docKey, retention)
redis.call('PEXPIRE', docKey .. ':signals', retention)
redis.call('SET', openKey, alertId, 'PX', retention)
redis.call('SET', sigKey, alertId, 'PX', retention)
local s = state(alertId)
return {action, alertId, s[1], s[2]}
`;

/**
 * Analyst decision or case action -> alert state, deduped by decisionId. Acknowledging never
 * reopens a decided alert; a terminal decision closes the open-alert pointer so the next signal
 * opens a new episode; assigned/unassigned compare-and-set the holder; commented only records.
 * ARGV: base, alertId, decisionId, decision, decidedMs, decisionJson, retentionMs, assignee,
 * previousAssignee. Returns {outcome, previousStatus, createdMs (conflict: the holder),
 * firstDecision ("1" if this is the first verdict), docFlat}; outcome applied|duplicate|missing|conflict.
 */
export const APPLY_DECISION_LUA = `
local base = ARGV[1]
local docKey = base .. 'alert:' .. ARGV[2]
local retention = tonumber(ARGV[7])
if redis.call('EXISTS', docKey) == 0 then return {'missing', '', '', '', {}} end
if not redis.call('SET', base .. 'decision:' .. ARGV[3], '1', 'NX', 'PX', retention) then
  return {'duplicate', '', '', '', {}}
end
local previous = redis.call('HGET', docKey, 'status')
local decision = ARGV[4]
local first = '0'
if decision == 'assigned' or decision == 'unassigned' then
  -- the lock: applied only if the holder is still the one the analyst saw (ARGV[9])
  local holder = redis.call('HGET', docKey, 'assignee') or ''
  if holder ~= ARGV[9] then return {'conflict', previous, holder, '', {}} end
  if decision == 'assigned' then redis.call('HSET', docKey, 'assignee', ARGV[8], 'assignedMs', ARGV[5])
  else redis.call('HDEL', docKey, 'assignee', 'assignedMs') end
elseif decision ~= 'commented' then
  if decision ~= 'acknowledged' or previous == 'open' then redis.call('HSET', docKey, 'status', decision) end
  if redis.call('HSETNX', docKey, 'firstDecisionMs', ARGV[5]) == 1 then first = '1' end
end
redis.call('RPUSH', docKey .. ':decisions', ARGV[6])
redis.call('LTRIM', docKey .. ':decisions', -200, -1)
redis.call('PEXPIRE', docKey .. ':decisions', retention)
if (decision == 'confirmed_fraud' or decision == 'false_positive') and redis.call('GET', base .. 'open') == ARGV[2] then redis.call('DEL', base .. 'open') end
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
 * KEYS[1] the tenant's time index; ARGV: maxAll, maxPerKey, retentionMs, then per alert:
 * alertId, score (first-seen event time), n, then n further index keys (entity, subject, rule)
 * written under KEYS[1] .. ':' .. name. Every key is capped (oldest dropped) and expires.
 */
export const INDEX_SEARCH_LUA = `
local maxAll, maxKey, retention = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local i = 4
while i <= #ARGV do
  local id, score, n = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  redis.call('ZADD', KEYS[1], score, id)
  for j = 1, n do
    local key = KEYS[1] .. ':' .. ARGV[i + 2 + j]
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
