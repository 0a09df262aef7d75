import { SEVERITIES, Severity } from '@vigil/contracts';

/** Parses "name:1.5,other:2" into a map (config values are validated by AlertingConfig). */
export function parseWeights(list: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const part of list.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.lastIndexOf(':');
    weights.set(part.slice(0, at), Number(part.slice(at + 1)));
  }
  return weights;
}

export interface ScoringPolicy {
  ruleWeights: Map<string, number>;
  severityWeights: Map<string, number>;
  /** Minimum score per severity, e.g. medium 40, high 70, critical 90. */
  thresholds: Map<string, number>;
}

export function scoringPolicy(config: {
  ALERTING_RULE_WEIGHTS: string;
  ALERTING_SEVERITY_WEIGHTS: string;
  ALERTING_SEVERITY_THRESHOLDS: string;
}): ScoringPolicy {
  return {
    ruleWeights: parseWeights(config.ALERTING_RULE_WEIGHTS),
    severityWeights: parseWeights(config.ALERTING_SEVERITY_WEIGHTS),
    thresholds: parseWeights(config.ALERTING_SEVERITY_THRESHOLDS),
  };
}

/** Capped below 1 so one signal never makes the combined score certain on its own. */
const MAX_CONTRIBUTION = 0.99;

/** A signal's contribution c = min(0.99, severityWeight × ruleWeight). */
export function contribution(policy: ScoringPolicy, ruleId: string, severity: Severity): number {
  const c = (policy.severityWeights.get(severity) ?? 0) * (policy.ruleWeights.get(ruleId) ?? 1);
  return Math.max(0, Math.min(MAX_CONTRIBUTION, c));
}

/**
 * score = 100 × (1 − Π over distinct rules (1 − c_rule)), c_rule being the largest contribution
 * of that rule: independent evidence compounds like independent probabilities, a repeat of the
 * same rule does not. The same formula runs inside the Lua script (alert-store.ts).
 */
export function combinedScore(contributions: number[]): number {
  const miss = contributions.reduce((p, c) => p * (1 - c), 1);
  return Math.round(1000 * (1 - miss)) / 10;
}

export function severityForScore(policy: ScoringPolicy, score: number): Severity {
  let result: Severity = 'low';
  for (const severity of SEVERITIES) {
    const min = policy.thresholds.get(severity);
    if (min !== undefined && score >= min) result = severity;
  }
  return result;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
