import { combinedScore, contribution, parseWeights, scoringPolicy, severityForScore } from './scoring';

const policy = scoringPolicy({
  ALERTING_RULE_WEIGHTS: 'card-testing:1.5,noisy:0.5',
  ALERTING_SEVERITY_WEIGHTS: 'low:0.2,medium:0.4,high:0.6,critical:0.9',
  ALERTING_SEVERITY_THRESHOLDS: 'medium:40,high:70,critical:90',
});

describe('scoring', () => {
  it('parses weight lists', () => {
    expect([...parseWeights('a:1, b.c:0.5')]).toEqual([
      ['a', 1],
      ['b.c', 0.5],
    ]);
  });

  it('weights a signal by severity and rule, capped below 1', () => {
    expect(contribution(policy, 'other', 'high')).toBeCloseTo(0.6);
    expect(contribution(policy, 'noisy', 'high')).toBeCloseTo(0.3);
    expect(contribution(policy, 'card-testing', 'critical')).toBe(0.99);
  });

  it('raises the score with each independent signal', () => {
    expect(combinedScore([0.6])).toBe(60);
    expect(combinedScore([0.6, 0.6])).toBe(84);
    expect(combinedScore([0.6, 0.6, 0.6])).toBe(93.6);
  });

  it('maps scores to severities by threshold', () => {
    expect(severityForScore(policy, 20)).toBe('low');
    expect(severityForScore(policy, 60)).toBe('medium');
    expect(severityForScore(policy, 84)).toBe('high');
    expect(severityForScore(policy, 93.6)).toBe('critical');
  });
});
