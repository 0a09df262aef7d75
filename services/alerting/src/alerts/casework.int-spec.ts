import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { AlertDecision, FraudSignal, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { REDIS_CLIENT, RedisClient } from '@vigil/redis';
import { appUrl, startTestApp, testConfig, TopicProbe, uniqueId, waitFor } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';
import { tokenDigest } from '../users/analyst-users';
import { AlertView } from './alert-document';

// t1: ana and bo (analysts), vic (viewer); t2: tom; t3: nia (her queue is only "next" test alerts); adm: admin of all
const USERS = { ana: ['analyst', ['t1']], bo: ['analyst', ['t1']], vic: ['viewer', ['t1']], tom: ['analyst', ['t2']], nia: ['analyst', ['t3']], adm: ['admin', ['*']] } as const;
type Who = keyof typeof USERS;
const token = (who: Who) => `casework-token-of-${who}`;

/**
 * Case work against the real Kafka and Redis: search beyond the newest list with cursor pages,
 * export, assignment (a lock applied by compare-and-set from fraud.decisions), "next unassigned",
 * comments and bulk decisions, with tenant scoping and role refusals.
 */
describe('case work: search, export, queues (real Kafka and Redis)', () => {
  let config: AlertingConfig;
  let app: INestApplication;
  let publisher: KafkaPublisher;
  let probe: TopicProbe<AlertDecision>;
  let dir: string;
  const topics = () => topicNames(config.VIGIL_TOPIC_PREFIX);
  const api = (who: Who, route: string, init: RequestInit = {}) =>
    fetch(`${appUrl(app)}${route}`, { ...init, headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'application/json', ...init.headers } });
  const post = (who: Who, route: string, body: unknown = {}) => api(who, route, { method: 'POST', body: JSON.stringify(body) });
  const json = async <T>(response: Response, status = 200): Promise<T> => {
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status });
    return JSON.parse(text) as T;
  };
  const send = (signals: FraudSignal[]) =>
    publisher.publish(signals.map((s) => ({ topic: topics().signals, key: `${s.subject.type}:${s.subject.id}`, value: JSON.stringify(s) })));
  const search = async (who: Who, query: Record<string, string | number>) =>
    json<{ alerts: AlertView[]; next?: string }>(await api(who, `/v1/alerts/search?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`));
  /** Raises one alert per signal (distinct subjects) and waits until search finds them all. */
  const raise = async (signals: FraudSignal[], query: Record<string, string>, who: Who = 'adm') => {
    await send(signals);
    return waitFor(`${signals.length} alerts indexed`, async () => {
      const page = await search(who, { ...query, limit: 200 });
      return page.alerts.length >= signals.length && page.alerts;
    });
  };
  const alertOf = (who: Who, id: string) => api(who, `/v1/alerts/${id}`).then((r) => json<AlertView>(r));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-casework-'));
    const usersFile = path.join(dir, 'users.yaml');
    writeFileSync(usersFile, YAML.stringify({ users: Object.entries(USERS).map(([name, [role, tenants]]) => ({ name, role, tenants: [...tenants], tokenSha256: tokenDigest(token(name as Who)) })) }));
    // a small dashboard list: search must reach what the newest-N list no longer holds
    config = testConfig(AlertingConfig, { ALERTING_USERS_FILE: usersFile, ALERTING_INDEX_SIZE: '10', ALERTING_EXPORT_MAX_ROWS: '12' });
    app = await startTestApp(AppModule.register(config), config);
    publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'casework-int-spec'));
    probe = await TopicProbe.start(config.KAFKA_BROKERS, [topics().decisions]);
  });

  afterAll(async () => {
    await probe?.stop();
    await publisher?.disconnect();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds by an entity named in the evidence, pages with a cursor beyond the newest list, and scopes tenants', async () => {
    const device = uniqueId('dev');
    const rule = uniqueId('rule');
    const accounts = Array.from({ length: 15 }, (_, i) => `${uniqueId('acc')}-${i}`);
    const t0 = Date.parse('2026-12-01T00:00:00.000Z');
    const signals = accounts.map((acc, i) =>
      testSignal({ ruleId: rule, subjectId: acc, tenantId: 't1', evidence: { deviceId: device }, occurredAt: new Date(t0 + i * 60_000).toISOString() }),
    );
    const other = testSignal({ ruleId: rule, subjectId: uniqueId('acc'), tenantId: 't2', evidence: { deviceId: device } });
    await raise([...signals, other], { entityType: 'device', entityId: device });

    // the list API holds the newest 10 of t1; search finds all 15 on the device, in cursor pages
    const listed = await json<{ alerts: AlertView[] }>(await api('ana', '/v1/alerts?tenantId=t1&limit=500'));
    expect(listed.alerts.length).toBeLessThanOrEqual(10);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await search('ana', { entityType: 'device', entityId: device, limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...page.alerts.map((a) => a.subject.id));
      cursor = page.next;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual([...accounts].reverse()); // first seen newest first, no repeats, none skipped

    // tenant scoping: tom (t2) finds only his tenant's alert on the same device; asking for t1 is refused
    const tom = await search('tom', { entityType: 'device', entityId: device });
    expect(tom.alerts.map((a) => a.subject.tenantId)).toEqual(['t2']);
    expect((await api('tom', `/v1/alerts/search?tenantId=t1&entityId=${device}`)).status).toBe(403);

    // time range on first-seen (bounds included) and the other filters
    const ranged = await search('ana', { ruleId: rule, from: new Date(t0 + 2 * 60_000).toISOString(), to: '2026-12-01T00:04:00+00:00' });
    expect(ranged.alerts.map((a) => a.subject.id)).toEqual([accounts[4], accounts[3], accounts[2]]);
    expect((await search('ana', { ruleId: rule, severity: 'low' })).alerts).toEqual([]);
    expect((await search('ana', { subjectId: accounts[7] })).alerts.map((a) => a.subject.id)).toEqual([accounts[7]]);
  });

  it('refuses bad queries with the field and the reason', async () => {
    for (const [query, field] of [['cursor=bm90LWEtY3Vyc29y', 'cursor'], ['limit=500', 'limit'], ['from=yesterday', 'from'], ['entityType=planet', 'entityType'], ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'from']]) {
      const response = await api('ana', `/v1/alerts/search?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(await response.text()).toContain(field);
    }
    expect((await fetch(`${appUrl(app)}/v1/alerts/search`)).status).toBe(401);
  });

  it('exports the search as CSV (header, escaping, formula guard) and JSON, capped', async () => {
    const rule = uniqueId('exp');
    const hostile = `=HYPERLINK(1)${uniqueId('')}`.replace(/[()]/g, '');
    await raise([testSignal({ ruleId: rule, subjectId: hostile, tenantId: 't1' }), testSignal({ ruleId: rule, subjectId: uniqueId('acc'), tenantId: 't1' })], { ruleId: rule });
    const csvResponse = await api('ana', `/v1/alerts/export?ruleId=${rule}`);
    expect(csvResponse.status).toBe(200);
    expect(csvResponse.headers.get('content-type')).toContain('text/csv');
    expect(csvResponse.headers.get('content-disposition')).toMatch(/^attachment; filename="vigil-alerts-.*\.csv"$/);
    const lines = (await csvResponse.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('alertId,tenantId,subjectType,subjectId,severity,score,status,rules,assignee,firstSeenAt,lastSeenAt,signals,summary');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(`,'${hostile},`))).toBe(true);
    expect(lines.every((l) => !l.includes(`,${hostile},`))).toBe(true);

    const asJson = await json<{ rows: Record<string, unknown>[]; truncated: boolean }>(await api('ana', `/v1/alerts/export?format=json&ruleId=${rule}`));
    expect(asJson.truncated).toBe(false);
    expect(asJson.rows.map((r) => r['subjectId']).sort()).toEqual(lines.slice(1).map((l) => l.split(',')[3].replace(/^'/, '')).sort());

    // ALERTING_EXPORT_MAX_ROWS = 12: the 15-alert search is cut and says so
    const big = await api('adm', '/v1/alerts/export?format=json&tenantId=t1');
    expect(big.headers.get('x-vigil-export-truncated')).toBe('true');
    expect((await json<{ rows: unknown[]; truncated: boolean }>(big)).rows).toHaveLength(12);
    expect((await api('ana', '/v1/alerts/export?format=xml')).status).toBe(400);
  });

  it('assigns as a lock others see, refuses colleagues, viewers and other tenants, and applies events once', async () => {
    const rule = uniqueId('asg');
    const [alert] = await raise([testSignal({ ruleId: rule, subjectId: uniqueId('acc'), tenantId: 't1' })], { ruleId: rule });
    const id = alert.alertId;

    const taken = await json<AlertDecision>(await post('ana', `/v1/alerts/${id}/assignment`), 202);
    expect(taken).toMatchObject({ alertId: id, decision: 'assigned', analyst: 'ana', assignee: 'ana', previousAssignee: '' });
    await waitFor('ana holds the alert', async () => (await alertOf('bo', id)).assignee === 'ana');

    expect((await post('bo', `/v1/alerts/${id}/assignment`)).status).toBe(409);
    expect((await post('bo', `/v1/alerts/${id}/assignment/delete`)).status).toBe(403);
    expect((await post('vic', `/v1/alerts/${id}/assignment`)).status).toBe(403);
    expect((await post('tom', `/v1/alerts/${id}/assignment`)).status).toBe(404);
    const notColleague = await post('ana', `/v1/alerts/${id}/assignment`, { assignee: 'tom' });
    expect(notColleague.status).toBe(400);
    expect(await notColleague.text()).toContain('assignee');

    // ana hands it to bo; the search by assignee follows
    await json(await post('ana', `/v1/alerts/${id}/assignment`, { assignee: 'bo' }), 202);
    await waitFor('bo holds the alert', async () => (await alertOf('ana', id)).assignee === 'bo');
    expect((await search('ana', { ruleId: rule, assignee: 'bo' })).alerts.map((a) => a.alertId)).toEqual([id]);

    // a stale assignment (it saw nobody holding the alert) loses the compare-and-set; a redelivered event changes nothing
    const stale: AlertDecision = { decisionId: uniqueId('dec'), alertId: id, decision: 'assigned', analyst: 'adm', assignee: 'adm', previousAssignee: '', decidedAt: new Date().toISOString() };
    const release = await json<AlertDecision>(await post('bo', `/v1/alerts/${id}/assignment/delete`), 202);
    await waitFor('released', async () => (await alertOf('ana', id)).assignee === undefined);
    await publisher.publish([stale, release, { ...stale, decisionId: uniqueId('dec'), previousAssignee: 'ana' }].map((d) => ({ topic: topics().decisions, key: id, value: JSON.stringify(d) })));
    // the first (previousAssignee '') applies now that nobody holds it; the redelivered release is a duplicate; the last is stale
    await waitFor('adm holds it', async () => (await alertOf('ana', id)).assignee === 'adm');
    await new Promise((r) => setTimeout(r, 500));
    const after = await alertOf('ana', id);
    expect(after.assignee).toBe('adm');
    const log = (after.decisions as AlertDecision[]).map((d) => `${d.decision}:${d.analyst}`);
    expect(log).toEqual(['assigned:ana', 'assigned:ana', 'unassigned:bo', 'assigned:adm']);
  });

  it('"next unassigned" takes the most urgent alert of the queue, never the same one twice', async () => {
    const rule = uniqueId('next');
    await raise(
      (['low', 'critical', 'high'] as const).map((severity) => testSignal({ ruleId: rule, severity, subjectId: uniqueId('acc'), tenantId: 't3' })),
      { tenantId: 't3', ruleId: rule },
    );
    const [a, b] = await Promise.all([post('nia', '/v1/alerts/next'), post('nia', '/v1/alerts/next')]);
    const first = [await json<{ alert: AlertView; decision: AlertDecision }>(a, 202), await json<{ alert: AlertView; decision: AlertDecision }>(b, 202)];
    expect(new Set(first.map((f) => f.alert.alertId)).size).toBe(2);
    // alert severity from the score: one critical signal 90 (critical), one high 60 (medium), one low 20 (low)
    expect(first.map((f) => f.alert.severity).sort()).toEqual(['critical', 'medium']);
    expect(first[0].decision).toMatchObject({ decision: 'assigned', analyst: 'nia', assignee: 'nia' });
    await waitFor('both assigned', async () => (await search('nia', { ruleId: rule, assignee: 'nia' })).alerts.length === 2);
    const third = await json<{ alert: AlertView }>(await post('nia', '/v1/alerts/next'), 202);
    expect(third.alert.severity).toBe('low');
    await waitFor('all assigned', async () => (await search('nia', { ruleId: rule, assignee: 'nia' })).alerts.length === 3);
    expect((await post('nia', '/v1/alerts/next')).status).toBe(404);
    expect((await post('vic', '/v1/alerts/next')).status).toBe(403);
    expect((await post('nia', '/v1/alerts/next', { tenantId: 't1' })).status).toBe(403);
  });

  it('records comments by their author, bounded, and not by viewers', async () => {
    const rule = uniqueId('cmt');
    const [alert] = await raise([testSignal({ ruleId: rule, subjectId: uniqueId('acc'), tenantId: 't1' })], { ruleId: rule });
    await json(await post('ana', `/v1/alerts/${alert.alertId}/comments`, { comment: 'called the buyer, no answer' }), 202);
    await waitFor('comment in the alert', async () =>
      (await alertOf('bo', alert.alertId)).decisions.some((d) => (d as AlertDecision).comment === 'called the buyer, no answer' && (d as AlertDecision).analyst === 'ana'),
    );
    expect((await alertOf('bo', alert.alertId)).status).toBe('open');
    const long = await post('ana', `/v1/alerts/${alert.alertId}/comments`, { comment: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('comment');
    expect((await post('ana', `/v1/alerts/${alert.alertId}/comments`, { comment: '' })).status).toBe(400);
    expect((await post('vic', `/v1/alerts/${alert.alertId}/comments`, { comment: 'hi' })).status).toBe(403);
  });

  it('decides a selection in bulk, all or nothing within the caller’s tenants', async () => {
    const rule = uniqueId('bulk');
    const alerts = await raise([1, 2, 3].map(() => testSignal({ ruleId: rule, subjectId: uniqueId('acc'), tenantId: 't1' })), { ruleId: rule });
    const [foreign] = await raise([testSignal({ ruleId: rule, subjectId: uniqueId('acc'), tenantId: 't2' })], { ruleId: rule, tenantId: 't2' });
    const ids = alerts.map((a) => a.alertId);

    expect((await post('ana', '/v1/alerts/decisions', { alertIds: [...ids, foreign.alertId], decision: 'false_positive' })).status).toBe(404);
    expect((await post('vic', '/v1/alerts/decisions', { alertIds: ids, decision: 'false_positive' })).status).toBe(403);
    const tooMany = await post('ana', '/v1/alerts/decisions', { alertIds: Array.from({ length: 101 }, (_, i) => `al-${i}`), decision: 'false_positive' });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain('alertIds');
    expect((await post('ana', '/v1/alerts/decisions', { alertIds: ids, decision: 'assigned' })).status).toBe(400);

    const { decisions } = await json<{ decisions: AlertDecision[] }>(await post('ana', '/v1/alerts/decisions', { alertIds: ids, decision: 'false_positive', comment: 'test orders' }), 202);
    expect(decisions.map((d) => d.alertId)).toEqual(ids);
    await probe.waitFor(3, (m) => ids.includes(m.value.alertId) && m.value.decision === 'false_positive' && m.value.analyst === 'ana');
    await waitFor('all three decided', async () => (await search('ana', { ruleId: rule, status: 'false_positive' })).alerts.length === 3);
    // nothing was published for the refused selection
    expect(probe.messages.filter((m) => m.value.alertId === foreign.alertId)).toEqual([]);
  });

  it('leaves no Redis key without a TTL (search indexes, claims, case logs included)', async () => {
    const redis = app.get<RedisClient>(REDIS_CLIENT);
    const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}:*`);
    expect(keys.some((k) => k.includes('{alerting-search:t1}:e:device:'))).toBe(true);
    expect(keys.some((k) => k.includes(':claim:'))).toBe(true);
    const ttls = await Promise.all(keys.map(async (k) => [k, await redis.pttl(k)] as const));
    expect(ttls.filter(([, ttl]) => ttl < 0)).toEqual([]);
  });
});
