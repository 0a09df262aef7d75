/** What a candidate rules file changes against the baseline, per rule, on the same events. */
import { FraudSignal } from '@vigil/contracts';
import { BacktestResult, RuleMetrics } from './metrics';

export type ComparedSignal = Pick<FraudSignal, 'ruleId' | 'signalId' | 'subject'>;

export interface RuleChange {
  ruleId: string;
  baselineSignals: number;
  signals: number;
  /** Subjects (tenant:type:id, the signal key) the candidate flags and the baseline does not. */
  newlyFlagged: string[];
  /** Subjects the baseline flags and the candidate no longer does. */
  noLongerFlagged: string[];
  /** Precision and recall of the rule in each run (absent when it did not fire there). */
  baseline?: RuleMetrics;
  candidate?: RuleMetrics;
}

/** The signal key of a subject: subject ids are unique per tenant and type, not globally. */
export function subjectKey(subject: FraudSignal['subject']): string {
  return `${subject.tenantId}:${subject.type}:${subject.id}`;
}

function subjectsByRule(signals: readonly ComparedSignal[]): Map<string, { subjects: Set<string>; signals: Set<string> }> {
  const byRule = new Map<string, { subjects: Set<string>; signals: Set<string> }>();
  for (const signal of signals) {
    const entry = byRule.get(signal.ruleId) ?? { subjects: new Set<string>(), signals: new Set<string>() };
    entry.subjects.add(subjectKey(signal.subject));
    entry.signals.add(signal.signalId);
    byRule.set(signal.ruleId, entry);
  }
  return byRule;
}

/**
 * Per rule (every rule that fired in either run, plus `ruleIds`, e.g. the rules of both files, so
 * a rule that stopped firing or never fires is listed too): signal counts and the subjects it
 * newly flags or no longer flags. Sorted by rule id; subjects sorted.
 */
export function compareRuns(
  baseline: { signals: readonly ComparedSignal[]; result: BacktestResult },
  candidate: { signals: readonly ComparedSignal[]; result: BacktestResult },
  ruleIds: readonly string[] = [],
): RuleChange[] {
  const before = subjectsByRule(baseline.signals);
  const after = subjectsByRule(candidate.signals);
  const metricsOf = (result: BacktestResult, ruleId: string) => result.rules.find((r) => r.ruleId === ruleId);
  const ids = [...new Set([...before.keys(), ...after.keys(), ...ruleIds])].sort();
  return ids.map((ruleId) => {
    const was = before.get(ruleId)?.subjects ?? new Set<string>();
    const now = after.get(ruleId)?.subjects ?? new Set<string>();
    const baselineMetrics = metricsOf(baseline.result, ruleId);
    const candidateMetrics = metricsOf(candidate.result, ruleId);
    return {
      ruleId,
      baselineSignals: before.get(ruleId)?.signals.size ?? 0,
      signals: after.get(ruleId)?.signals.size ?? 0,
      newlyFlagged: [...now].filter((s) => !was.has(s)).sort(),
      noLongerFlagged: [...was].filter((s) => !now.has(s)).sort(),
      ...(baselineMetrics ? { baseline: baselineMetrics } : {}),
      ...(candidateMetrics ? { candidate: candidateMetrics } : {}),
    };
  });
}

/** Rules whose signals or subjects differ between the runs. */
export function changedRules(changes: readonly RuleChange[]): RuleChange[] {
  return changes.filter((c) => c.baselineSignals !== c.signals || c.newlyFlagged.length > 0 || c.noLongerFlagged.length > 0);
}
