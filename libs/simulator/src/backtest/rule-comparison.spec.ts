import { FraudSignal } from '@vigil/contracts';
import { EntityLabel } from '../generator/labels';
import { detectionsFromSignals } from './detections';
import { computeBacktest } from './metrics';
import { backtestHtmlReport, comparisonTextReport } from './report';
import { changedRules, compareRuns, ComparedSignal, subjectKey } from './rule-comparison';

const signal = (signalId: string, ruleId: string, id: string, tenantId = 't'): ComparedSignal => ({
  signalId,
  ruleId,
  subject: { type: 'account', id, tenantId },
});

const labels: EntityLabel[] = [
  { entityType: 'account', entityId: 'a1', label: 'fraud', pattern: 'p' },
  { entityType: 'account', entityId: 'a2', label: 'legit', pattern: 'ordinary' },
  { entityType: 'account', entityId: 'a3', label: 'fraud', pattern: 'p' },
];

function run(signals: ComparedSignal[]) {
  return { signals, result: computeBacktest(detectionsFromSignals(signals as FraudSignal[]), labels) };
}

describe('rule comparison against the baseline', () => {
  // burst: baseline flags a1, a2; the candidate (lower threshold) a1 twice and a3, no longer a2.
  // steady: the same in both. gone: only the baseline. fresh: only the candidate.
  const baseline = run([signal('s1', 'burst', 'a1'), signal('s2', 'burst', 'a2'), signal('s3', 'steady', 'a1'), signal('s4', 'gone', 'a2')]);
  const candidate = run([signal('s1', 'burst', 'a1'), signal('s5', 'burst', 'a1'), signal('s6', 'burst', 'a3'), signal('s3', 'steady', 'a1'), signal('s7', 'fresh', 'a3')]);
  const changes = compareRuns(baseline, candidate, ['never-fires', 'steady']);
  const change = (ruleId: string) => changes.find((c) => c.ruleId === ruleId);

  it('lists, per rule, the subjects newly flagged and no longer flagged', () => {
    expect(change('burst')).toMatchObject({ baselineSignals: 2, signals: 3, newlyFlagged: ['t:account:a3'], noLongerFlagged: ['t:account:a2'] });
    expect(change('steady')).toMatchObject({ baselineSignals: 1, signals: 1, newlyFlagged: [], noLongerFlagged: [] });
    expect(change('gone')).toMatchObject({ baselineSignals: 1, signals: 0, newlyFlagged: [], noLongerFlagged: ['t:account:a2'] });
    expect(change('fresh')).toMatchObject({ baselineSignals: 0, signals: 1, newlyFlagged: ['t:account:a3'], noLongerFlagged: [] });
  });

  it('carries each run\'s precision and recall, and lists rules that fired in neither', () => {
    expect(change('burst')?.baseline).toMatchObject({ precision: 0.5, recall: 0.5 });
    expect(change('burst')?.candidate).toMatchObject({ precision: 1, recall: 1 });
    expect(change('never-fires')).toEqual({ ruleId: 'never-fires', baselineSignals: 0, signals: 0, newlyFlagged: [], noLongerFlagged: [] });
    expect(changes.map((c) => c.ruleId)).toEqual(['burst', 'fresh', 'gone', 'never-fires', 'steady']);
    expect(changedRules(changes).map((c) => c.ruleId)).toEqual(['burst', 'fresh', 'gone']);
  });

  it('tells subjects of different tenants apart', () => {
    expect(subjectKey({ tenantId: 't1', type: 'account', id: 'a1' })).not.toBe(subjectKey({ tenantId: 't2', type: 'account', id: 'a1' }));
    const moved = compareRuns(run([signal('x', 'r', 'a1', 't1')]), run([signal('y', 'r', 'a1', 't2')]));
    expect(moved[0]).toMatchObject({ newlyFlagged: ['t2:account:a1'], noLongerFlagged: ['t1:account:a1'] });
  });

  it('reports the changes as text, with at most 20 subjects per rule and direction', () => {
    const many = run(Array.from({ length: 25 }, (_, i) => signal(`m${i}`, 'wide', `n${String(i).padStart(2, '0')}`)));
    const text = comparisonTextReport({ baseline: 'base.yaml', changes: [...changes, ...compareRuns(run([]), many)] });
    expect(text).toContain('Against the baseline rules (base.yaml): 4 of 6 rules changed');
    expect(text).toMatch(/^burst +2 +3 +50\.0% +100\.0% +50\.0% +100\.0% +1 +1$/m);
    expect(text).toContain('burst: newly flagged (1): t:account:a3');
    expect(text).toContain('burst: no longer flagged (1): t:account:a2');
    expect(text).not.toContain('steady: ');
    expect(text).toContain('wide: newly flagged (25): t:account:n00,');
    expect(text).toContain('t:account:n19, ... (5 more)');
    expect(text).not.toContain('n20');
  });

  it('adds the changes to the HTML report, every subject listed and escaped', () => {
    const html = backtestHtmlReport(candidate.result, { title: 't', inputs: [] }, { baseline: '<base>.yaml', changes });
    expect(html).toContain('<h2>Against the baseline rules</h2>');
    expect(html).toContain('Baseline: &lt;base&gt;.yaml');
    expect(html).toContain('<b>burst</b> newly flagged (1): t:account:a3');
    expect(html).toContain('<b>gone</b> no longer flagged (1): t:account:a2');
    expect(backtestHtmlReport(candidate.result, { title: 't', inputs: [] })).not.toContain('Against the baseline');
  });
});
