import { testSignal } from '../../../test-support/signals';
import { AlertView } from '../alert-document';
import { alertEntities, evidenceEntities, matchesSearch, nextUnassigned, searchIndexName } from './search-filter';

const alert = (over: Partial<AlertView> = {}): AlertView => ({
  alertId: 'al-1-1',
  schemaVersion: 1,
  revision: 1,
  subject: { type: 'account', id: 'acc-1', tenantId: 't1' },
  severity: 'high',
  score: 60,
  status: 'open',
  signals: [{ ...testSignal({ ruleId: 'card-testing', subjectId: 'acc-1', tenantId: 't1' }), evidence: { deviceId: 'dev-9' } }],
  summary: '',
  firstSeenAt: '2026-12-01T10:00:00.000Z',
  lastSeenAt: '2026-12-01T10:05:00.000Z',
  contributions: { 'card-testing': 0.6 },
  decisions: [],
  createdAt: '2026-12-01T10:00:01.000Z',
  ...over,
});

describe('entities of an alert', () => {
  it('finds entities by field name, {type,id} objects, lists and shared links, ignoring non-ids', () => {
    const found = evidenceEntities({
      sellerId: 's-1',
      listedEntity: { type: 'ip', id: '10.0.0.1' },
      link: 'device:dev-2',
      accounts: ['acc-2', 'acc-3'],
      nested: { deeper: { walletId: 'w-1' } },
      deviceId: 'has space', // not an id: ignored
      ip: 42,
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { type: 'seller', id: 's-1' },
        { type: 'ip', id: '10.0.0.1' },
        { type: 'device', id: 'dev-2' },
        { type: 'account', id: 'acc-2' },
        { type: 'account', id: 'acc-3' },
        { type: 'wallet', id: 'w-1' },
      ]),
    );
    expect(found).toHaveLength(6);
  });

  it('bounds hostile evidence', () => {
    expect(evidenceEntities({ accounts: Array.from({ length: 10_000 }, (_, i) => `a-${i}`) }).length).toBeLessThanOrEqual(64);
    let deep: Record<string, unknown> = { deviceId: 'deep' };
    for (let i = 0; i < 50; i++) deep = { x: deep };
    expect(evidenceEntities(deep)).toEqual([]);
  });

  it('includes the subject and the evidence of every signal', () => {
    expect(alertEntities(alert())).toEqual([
      { type: 'account', id: 'acc-1' },
      { type: 'device', id: 'dev-9' },
    ]);
  });
});

describe('search filter', () => {
  it('matches every given field and nothing else', () => {
    const a = alert();
    expect(matchesSearch(a, {})).toBe(true);
    expect(matchesSearch(a, { entityType: 'device', entityId: 'dev-9', ruleId: 'card-testing', severity: 'high', status: 'open' })).toBe(true);
    expect(matchesSearch(a, { entityType: 'ip', entityId: 'dev-9' })).toBe(false);
    expect(matchesSearch(a, { ruleId: 'other' })).toBe(false);
    expect(matchesSearch(a, { severity: 'low' })).toBe(false);
    expect(matchesSearch(a, { subjectId: 'acc-2' })).toBe(false);
    expect(matchesSearch(a, { assignee: '' })).toBe(true);
    expect(matchesSearch(alert({ assignee: 'ana' }), { assignee: 'ana' })).toBe(true);
  });

  it('filters by first-seen time, bounds included', () => {
    const t = Date.parse('2026-12-01T10:00:00.000Z');
    expect(matchesSearch(alert(), { fromMs: t, toMs: t })).toBe(true);
    expect(matchesSearch(alert(), { fromMs: t + 1 })).toBe(false);
    expect(matchesSearch(alert(), { toMs: t - 1 })).toBe(false);
  });
});

describe('next unassigned', () => {
  it('takes unassigned, undecided alerts by severity, score, then age', () => {
    const order = nextUnassigned([
      alert({ alertId: 'medium', severity: 'medium', score: 50 }),
      alert({ alertId: 'crit-new', severity: 'critical', score: 95, firstSeenAt: '2026-12-02T00:00:00.000Z' }),
      alert({ alertId: 'crit-old', severity: 'critical', score: 95 }),
      alert({ alertId: 'taken', severity: 'critical', score: 99, assignee: 'bo' }),
      alert({ alertId: 'closed', severity: 'critical', score: 99, status: 'false_positive' }),
      alert({ alertId: 'high', severity: 'high', score: 80 }),
    ]);
    expect(order.map((a) => a.alertId)).toEqual(['crit-old', 'crit-new', 'high', 'medium']);
  });
});

describe('search index choice', () => {
  it('reads the narrowest index the filter allows', () => {
    expect(searchIndexName({ entityType: 'device', entityId: 'd', ruleId: 'r' })).toBe('e:device:d');
    expect(searchIndexName({ subjectType: 'account', subjectId: 'a' })).toBe('e:account:a');
    expect(searchIndexName({ subjectId: 'a', ruleId: 'r' })).toBe('s:a');
    expect(searchIndexName({ ruleId: 'r', severity: 'high' })).toBe('r:r');
    // an entity id without its type: any type, checked on the loaded alerts
    expect(searchIndexName({ entityId: 'd' })).toBe('');
  });
});
