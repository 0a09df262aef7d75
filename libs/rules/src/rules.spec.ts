import { evaluateCondition, metricsUsed, renderReason } from './evaluate';
import { InvalidRulesFileError, parseRulesFile } from './rules-file';

const FILE = `
version: 1
rules:
  - id: new-account-shared-device
    version: 2
    subject: account
    events: [order.placed]
    mode: shadow
    severity: high
    window: 1h
    when:
      all:
        - metric: account.age_min
          op: "<"
          value: 60
        - any:
            - metric: device.accounts.distinct@24h
              op: ">"
              value: 3
            - metric: account.refund.count@7d
              per: account.order.count@7d
              op: ">="
              value: 0.5
    reason: "account {account.age_min} min old on a device used by {device.accounts.distinct@24h} accounts"
`;

describe('rules file', () => {
  it('parses a valid file', () => {
    const [rule] = parseRulesFile(FILE);
    expect(rule.id).toBe('new-account-shared-device');
    expect(rule.when.all?.[1].any?.[1].per).toBe('account.order.count@7d');
    expect([...metricsUsed([rule])].sort()).toEqual([
      'account.age_min',
      'account.order.count@7d',
      'account.refund.count@7d',
      'device.accounts.distinct@24h',
    ]);
  });

  it('refuses an invalid file with every problem named', () => {
    const broken = FILE.replace('severity: high', 'severity: huge').replace('op: "<"', 'op: "~"');
    expect(() => parseRulesFile(broken)).toThrow(InvalidRulesFileError);
    try {
      parseRulesFile(broken);
    } catch (error) {
      const problems = (error as InvalidRulesFileError).problems.join('\n');
      expect(problems).toMatch(/rules\.0\.severity/);
      expect(problems).toMatch(/rules\.0\.when\.all\.0\.op/);
    }
    expect(() => parseRulesFile('version: 1\nrules: [')).toThrow(/not valid YAML/);
    expect(() => parseRulesFile(FILE, { isKnownMetric: (m) => m !== 'account.age_min' })).toThrow(/unknown metric "account.age_min"/);
    expect(() => parseRulesFile(FILE.replace('- metric: account.age_min', '- value: 3\n          metric: account.age_min\n          all: []'))).toThrow(
      InvalidRulesFileError,
    );
  });

  it('evaluates AND/OR with rates and keeps the evidence', () => {
    const [rule] = parseRulesFile(FILE);
    const metrics = new Map([
      ['account.age_min', 12],
      ['device.accounts.distinct@24h', 5],
      ['account.refund.count@7d', 1],
      ['account.order.count@7d', 4],
    ]);
    const result = evaluateCondition(rule.when, metrics);
    expect(result.fired).toBe(true);
    expect(result.measurements).toEqual([
      { name: 'account.age_min', value: 12, threshold: 60, comparator: '<' },
      { name: 'device.accounts.distinct', value: 5, threshold: 3, comparator: '>', window: '24h' },
    ]);
    expect(renderReason(rule, metrics)).toBe('account 12 min old on a device used by 5 accounts');

    expect(evaluateCondition(rule.when, new Map([...metrics, ['account.age_min', 600]])).fired).toBe(false);
    expect(evaluateCondition(rule.when, new Map([...metrics, ['device.accounts.distinct@24h', 2]])).fired).toBe(false);
    const rateOnly = new Map([...metrics, ['device.accounts.distinct@24h', 2], ['account.refund.count@7d', 2]]);
    expect(evaluateCondition(rule.when, rateOnly).measurements[1]).toMatchObject({ value: 0.5, name: 'account.refund.count per account.order.count@7d' });
    // missing data never fires
    expect(evaluateCondition(rule.when, new Map([['device.accounts.distinct@24h', 9]])).fired).toBe(false);
  });
});
