import { EntityLabel } from '../generator/labels';

/** One rule flagging one subject, taken from an alert or a signal. */
export interface Detection {
  ruleId: string;
  subjectId: string;
  /** The alert or signal it came from; counts are of distinct sources. */
  sourceId: string;
  mode?: string;
}

export interface RuleMetrics {
  ruleId: string;
  /** Distinct alerts (or signals) in which the rule took part. */
  alerts: number;
  subjects: number;
  truePositives: number;
  falsePositives: number;
  /** Flagged subjects the labels do not know (e.g. an IP); they count neither way. */
  unlabelled: number;
  /** TP / (TP + FP); null when nothing labelled was flagged. */
  precision: number | null;
  /** TP / all fraud-labelled entities; null when there are none. */
  recall: number | null;
  modes: string[];
}

export interface PatternMetrics {
  pattern: string;
  fraudEntities: number;
  flagged: number;
  recall: number;
  /** Rules that flagged at least one of the pattern's entities. */
  rules: string[];
}

export interface BacktestResult {
  rules: RuleMetrics[];
  overall: RuleMetrics;
  patterns: PatternMetrics[];
}

export const OVERALL = '(all rules)';

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function metricsFor(ruleId: string, detections: readonly Detection[], labelsById: Map<string, EntityLabel>, fraudCount: number): RuleMetrics {
  const subjects = new Set(detections.map((d) => d.subjectId));
  let truePositives = 0;
  let falsePositives = 0;
  let unlabelled = 0;
  for (const id of subjects) {
    const label = labelsById.get(id);
    if (!label) unlabelled++;
    else if (label.label === 'fraud') truePositives++;
    else falsePositives++;
  }
  return {
    ruleId,
    alerts: new Set(detections.map((d) => d.sourceId)).size,
    subjects: subjects.size,
    truePositives,
    falsePositives,
    unlabelled,
    precision: ratio(truePositives, truePositives + falsePositives),
    recall: ratio(truePositives, fraudCount),
    modes: [...new Set(detections.map((d) => d.mode).filter((m): m is string => !!m))].sort(),
  };
}

/**
 * Precision and recall per rule and overall, by subject id against the labelled entities.
 * A subject counts once per rule however many alerts name it, so a noisy rule is not rewarded
 * for repeating itself; alert counts are reported beside it.
 */
export function computeBacktest(detections: readonly Detection[], labels: readonly EntityLabel[]): BacktestResult {
  const labelsById = new Map(labels.map((l) => [l.entityId, l]));
  const fraudCount = labels.filter((l) => l.label === 'fraud').length;
  const byRule = new Map<string, Detection[]>();
  for (const detection of detections) {
    const list = byRule.get(detection.ruleId) ?? [];
    list.push(detection);
    byRule.set(detection.ruleId, list);
  }
  const rules = [...byRule.entries()]
    .map(([ruleId, list]) => metricsFor(ruleId, list, labelsById, fraudCount))
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId));

  const fraudByPattern = new Map<string, EntityLabel[]>();
  for (const label of labels.filter((l) => l.label === 'fraud')) {
    fraudByPattern.set(label.pattern, [...(fraudByPattern.get(label.pattern) ?? []), label]);
  }
  const patterns = [...fraudByPattern.entries()]
    .map(([pattern, entities]) => {
      const ids = new Set(entities.map((e) => e.entityId));
      const hits = detections.filter((d) => ids.has(d.subjectId));
      const flagged = new Set(hits.map((d) => d.subjectId)).size;
      return { pattern, fraudEntities: ids.size, flagged, recall: flagged / ids.size, rules: [...new Set(hits.map((d) => d.ruleId))].sort() };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));

  return { rules, overall: metricsFor(OVERALL, detections, labelsById, fraudCount), patterns };
}
