import { EntityLabel } from '../generator/labels';
import { detectionsFromAlerts, detectionsFromSignals } from './detections';
import { computeBacktest, OVERALL } from './metrics';
import { backtestHtmlReport, backtestTextReport } from './report';

// Hand-made run: 4 fraud entities (3 from pattern p1, 1 from p2) and 4 legit ones.
const labels: EntityLabel[] = [
  { entityType: 'seller', entityId: 's1', label: 'fraud', pattern: 'p1' },
  { entityType: 'account', entityId: 'a1', label: 'fraud', pattern: 'p1' },
  { entityType: 'account', entityId: 'a2', label: 'fraud', pattern: 'p1' },
  { entityType: 'account', entityId: 'a3', label: 'fraud', pattern: 'p2' },
  { entityType: 'seller', entityId: 's2', label: 'legit', pattern: 'ordinary' },
  { entityType: 'account', entityId: 'b1', label: 'legit', pattern: 'ordinary' },
  { entityType: 'account', entityId: 'b2', label: 'legit', pattern: 'ordinary' },
  { entityType: 'account', entityId: 'b3', label: 'legit', pattern: 'ordinary' },
];

const alert = (alertId: string, revision: number, subjectId: string, ruleIds: string[]) => ({
  alertId,
  revision,
  subject: { type: 'account', id: subjectId, tenantId: 't' },
  signals: ruleIds.map((ruleId) => ({ ruleId })),
});

describe('backtest metrics', () => {
  // rule A flags s1, a1 (fraud) and b1 (legit), plus an unknown IP; rule B flags a1 twice and b2.
  const alerts = [
    alert('al-1', 1, 's1', ['A']),
    alert('al-2', 1, 'a1', ['A']),
    alert('al-2', 2, 'a1', ['A', 'B']), // later revision adds rule B
    alert('al-3', 1, 'b1', ['A']),
    alert('al-4', 1, '203.0.113.9', ['A']),
    alert('al-5', 1, 'a1', ['B']),
    alert('al-6', 1, 'b2', ['B']),
  ];
  const result = computeBacktest(detectionsFromAlerts(alerts), labels);
  const rule = (id: string) => result.rules.find((r) => r.ruleId === id) ?? result.overall;

  it('computes precision and recall per rule by hand', () => {
    // A: subjects s1, a1, b1, ip -> TP 2, FP 1, unlabelled 1; precision 2/3; recall 2/4.
    expect(rule('A')).toMatchObject({ alerts: 4, subjects: 4, truePositives: 2, falsePositives: 1, unlabelled: 1 });
    expect(rule('A').precision).toBeCloseTo(2 / 3);
    expect(rule('A').recall).toBeCloseTo(0.5);
    // B: alerts al-2 (rev 2), al-5, al-6; subjects a1, b2 -> TP 1, FP 1; precision 1/2; recall 1/4.
    expect(rule('B')).toMatchObject({ alerts: 3, subjects: 2, truePositives: 1, falsePositives: 1, unlabelled: 0 });
    expect(rule('B').precision).toBeCloseTo(0.5);
    expect(rule('B').recall).toBeCloseTo(0.25);
  });

  it('computes the overall figures over the union of subjects', () => {
    // Union: s1, a1, b1, ip, b2 -> TP 2, FP 2; precision 1/2, recall 2/4; 6 distinct alerts.
    expect(result.overall).toMatchObject({ ruleId: OVERALL, alerts: 6, subjects: 5, truePositives: 2, falsePositives: 2, unlabelled: 1 });
    expect(result.overall.precision).toBeCloseTo(0.5);
    expect(result.overall.recall).toBeCloseTo(0.5);
  });

  it('computes recall per pattern and names the rules that caught it', () => {
    expect(result.patterns).toEqual([
      { pattern: 'p1', fraudEntities: 3, flagged: 2, recall: 2 / 3, rules: ['A', 'B'] },
      { pattern: 'p2', fraudEntities: 1, flagged: 0, recall: 0, rules: [] },
    ]);
  });

  it('keeps only the latest revision of an alert', () => {
    const detections = detectionsFromAlerts([alert('x', 2, 'a1', ['A']), alert('x', 1, 'a1', ['A', 'B'])]);
    expect(detections.map((d) => d.ruleId)).toEqual(['A']);
  });

  it('reads signals including shadow rules, and reports null precision when nothing labelled was flagged', () => {
    const signals = [
      { signalId: 'sg1', ruleId: 'shadow-rule', mode: 'shadow', subject: { type: 'account', id: 'a3', tenantId: 't' } },
      { signalId: 'sg2', ruleId: 'ip-rule', mode: 'enforce', subject: { type: 'ip', id: '198.51.100.1', tenantId: 't' } },
    ];
    const fromSignals = computeBacktest(detectionsFromSignals(signals), labels);
    expect(fromSignals.rules[1]).toMatchObject({ ruleId: 'shadow-rule', modes: ['shadow'], truePositives: 1, precision: 1, recall: 0.25 });
    expect(fromSignals.rules[0]).toMatchObject({ ruleId: 'ip-rule', precision: null, unlabelled: 1 });
  });

  it('rejects records without a subject id', () => {
    expect(() => detectionsFromSignals([{ signalId: 's', ruleId: 'r' }])).toThrow(/subject.id/);
  });

  it('renders a text table and a self-contained HTML report', () => {
    const text = backtestTextReport(result);
    expect(text).toMatch(/^1 of 2 patterns caught$/m);
    expect(text).toMatch(/^A\s+-\s+4\s+4\s+2\s+1\s+1\s+66\.7%\s+50\.0%$/m);
    const html = backtestHtmlReport(result, { title: 'Backtest <test>', inputs: ['alerts.ndjson'] });
    expect(html).toContain('<svg');
    expect(html).toContain('1 of 2 patterns caught');
    expect(html).toContain('Backtest &lt;test&gt;');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
