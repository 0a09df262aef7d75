import { EntityLabel } from '../generator/labels';
import { computeRulePrecision, rulePrecisionMarkdown, SignalRecord } from './rule-precision';

const labels: EntityLabel[] = [
  { entityType: 'account', entityId: 'acc-fraud', label: 'fraud', pattern: 'promo-abuse' },
  { entityType: 'account', entityId: 'acc-ok', label: 'legit', pattern: 'ordinary' },
  { entityType: 'device', entityId: 'dev-farm', label: 'fraud', pattern: 'promo-abuse' },
  { entityType: 'device', entityId: 'dev-home', label: 'legit', pattern: 'ordinary' },
];
const events = [
  { id: 'e1', type: 'order.placed', data: { buyerId: 'acc-fraud' } },
  { id: 'e2', type: 'order.placed', data: { buyerId: 'acc-ok' } },
  { id: 'e3', type: 'order.placed', data: { buyerId: 'acc-unknown' } },
];
const signal = (signalId: string, ruleId: string, subject: string, trigger: string, extra: Partial<SignalRecord> = {}): SignalRecord => ({
  signalId,
  ruleId,
  mode: 'enforce',
  subject: { type: subject.startsWith('dev') ? 'device' : subject.includes('.') ? 'ip' : 'account', id: subject },
  triggeringEvents: [{ eventId: trigger }],
  ...extra,
});

describe('rule precision', () => {
  const signals = [
    signal('s1', 'device-multi', 'dev-farm', 'e1'),
    signal('s2', 'device-multi', 'dev-home', 'e2', { reason: '4 accounts on one device' }),
    signal('s2', 'device-multi', 'dev-home', 'e2'), // redelivered: counted once
    signal('s3', 'device-multi', 'dev-farm', 'e1'),
    // An IP is not labelled: judged by the account behind the triggering event.
    signal('s4', 'ip-multi', '10.0.0.1', 'e1', { mode: 'shadow' }),
    signal('s5', 'ip-multi', '10.0.0.2', 'e2', { mode: 'shadow' }),
    signal('s6', 'ip-multi', '10.0.0.3', 'e3', { mode: 'shadow' }),
    signal('s7', 'high-value', 'acc-ok', 'e2', { measurements: [{ name: 'order.amount' }, { name: 'account.order.count', window: '7d' }] }),
    signal('s8', 'high-value', 'acc-fraud', 'e1', { measurements: [{ name: 'order.amount' }, { name: 'account.age_min' }] }),
  ];
  const rows = computeRulePrecision([{ name: 'seed 1', signals, labels, events }], [{ id: 'never-fires', mode: 'shadow' }]);
  const row = (id: string) => rows.find((r) => r.ruleId === id)!;

  it('counts distinct signals on fraud and on ordinary entities, and subjects once', () => {
    expect(row('device-multi')).toMatchObject({ signals: 3, onFraud: 2, onLegit: 1, subjects: 2, fraudSubjects: 1, legitSubjects: 1, mode: 'enforce', patterns: ['promo-abuse'] });
    expect(row('device-multi').precision).toBeCloseTo(2 / 3);
    expect(row('device-multi').exampleFalseAlarm).toBe('4 accounts on one device');
  });

  it('judges unlabelled subjects by the triggering account, and leaves the rest unjudged', () => {
    expect(row('ip-multi')).toMatchObject({ signals: 3, onFraud: 1, onLegit: 1, unknown: 1, attributed: 2, precision: 0.5, mode: 'shadow' });
  });

  it('lists configured rules that never fired, and splits by the comparisons that held', () => {
    expect(row('never-fires')).toMatchObject({ signals: 0, precision: null, mode: 'shadow' });
    expect(row('high-value').conditions).toEqual([
      { held: 'account.age_min & order.amount', onFraud: 1, onLegit: 0 },
      { held: 'account.order.count@7d & order.amount', onFraud: 0, onLegit: 1 },
    ]);
    const markdown = rulePrecisionMarkdown(rows);
    expect(markdown).toContain('| device-multi | enforce | 3 | 2 | 1 | 0.67 |');
    expect(markdown).toContain('| high-value | account.order.count@7d & order.amount | 0 | 1 | 0.00 |');
  });

  it('sums several runs and keeps each run\'s precision', () => {
    const twice = computeRulePrecision([
      { name: 'a', signals, labels, events },
      { name: 'b', signals: signals.slice(0, 2), labels, events },
    ]);
    const multi = twice.find((r) => r.ruleId === 'device-multi')!;
    expect(multi).toMatchObject({ signals: 5, onFraud: 3, onLegit: 2, subjects: 4 });
    expect(multi.perRun.map((p) => p.precision)).toEqual([2 / 3, 0.5]);
  });
});
