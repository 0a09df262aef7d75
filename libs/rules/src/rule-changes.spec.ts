import { RuleDefinition } from './rule-definition';
import { applyRuleChange, changeProblems, effectiveRules, RuleChange, thresholdsOf } from './rule-changes';
import { evaluateCondition } from './evaluate';

const rule: RuleDefinition = {
  id: 'account-order-burst', version: 2, subject: 'account', events: ['order.placed'], mode: 'enforce', severity: 'medium', window: '10m',
  when: { any: [{ metric: 'account.order.count@10m', op: '>=', value: 5 }, { all: [{ metric: 'account.order.count@24h', op: '>=', value: 20 }, { metric: 'account.order.count@10m', op: '>=', value: 5 }] }] },
  reason: 'r',
};
const change = (over: Partial<RuleChange>): RuleChange => ({ tenantId: 't', ruleId: rule.id, baseVersion: 2, revision: 1, actor: 'boss', reason: 'tuning', at: '2026-03-02T08:00:00Z', ...over });

describe('rule changes', () => {
  it('lists a rule’s thresholds once per metric, in condition order', () => {
    expect(thresholdsOf(rule)).toEqual([
      { metric: 'account.order.count@10m', op: '>=', value: 5 },
      { metric: 'account.order.count@24h', op: '>=', value: 20 },
    ]);
  });

  it('changes every comparison of a metric and the mode, versions the rule, and leaves the file’s rule alone', () => {
    const changed = applyRuleChange(rule, change({ mode: 'shadow', thresholds: [{ metric: 'account.order.count@10m', value: 8 }], revision: 3 }));
    expect(changed.mode).toBe('shadow');
    expect(changed.version).toBe(2003);
    expect(thresholdsOf(changed)[0].value).toBe(8);
    const metrics = new Map([['account.order.count@10m', 6], ['account.order.count@24h', 0]]);
    expect(evaluateCondition(rule.when, metrics).fired).toBe(true);
    expect(evaluateCondition(changed.when, metrics).fired).toBe(false);
    expect(thresholdsOf(rule)[0].value).toBe(5);
  });

  it('applies a tenant’s change only over the file version it was made on', () => {
    const changes = new Map([[rule.id, change({ mode: 'shadow' })]]);
    expect(effectiveRules([rule], changes)[0]).toMatchObject({ mode: 'shadow', version: 2001 });
    expect(effectiveRules([{ ...rule, version: 3 }], changes)[0]).toMatchObject({ mode: 'enforce', version: 3 });
    expect(effectiveRules([rule], undefined)[0]).toBe(rule);
  });

  it('refuses a threshold of a metric the rule does not compare, and an empty change', () => {
    expect(changeProblems(rule, { thresholds: [{ metric: 'card.order.count@10m', value: 1 }] })).toEqual([expect.stringMatching(/compares no card.order.count@10m/)]);
    expect(changeProblems(rule, {})).toEqual(['nothing to change: give a mode or thresholds']);
    expect(changeProblems(rule, { mode: 'shadow' })).toEqual([]);
  });
});
