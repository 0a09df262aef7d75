import { Measurement } from '@vigil/contracts';
import { Comparator, ConditionNode, RuleDefinition } from './rule-definition';

/** Metric name -> value for one event (counters after the update, facts, event attributes). */
export type MetricValues = ReadonlyMap<string, number>;

export interface Evaluation {
  fired: boolean;
  /** The comparisons that held (for a firing rule: the evidence). */
  measurements: Measurement[];
}

const COMPARE: Record<Comparator, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

function measure(node: ConditionNode, metrics: MetricValues): Measurement | null {
  const value = metrics.get(node.metric as string);
  if (value === undefined) return null; // no data, no judgement
  let measured = value;
  if (node.per !== undefined) {
    const divisor = metrics.get(node.per);
    if (divisor === undefined || divisor === 0) return null;
    measured = value / divisor;
  }
  if (!COMPARE[node.op as Comparator](measured, node.value as number)) return null;
  const [name, window] = (node.metric as string).split('@');
  const measurement: Measurement = {
    name: node.per ? `${name} per ${node.per}` : name,
    value: Math.round(measured * 1e6) / 1e6,
    threshold: node.value,
    comparator: node.op,
  };
  if (window) measurement.window = window;
  return measurement;
}

/** Evaluates a condition tree. AND needs every child; OR keeps the evidence of every child that held. */
export function evaluateCondition(node: ConditionNode, metrics: MetricValues): Evaluation {
  if (node.all) {
    const measurements: Measurement[] = [];
    for (const child of node.all) {
      const result = evaluateCondition(child, metrics);
      if (!result.fired) return { fired: false, measurements: [] };
      measurements.push(...result.measurements);
    }
    return { fired: true, measurements };
  }
  if (node.any) {
    const held = node.any.map((child) => evaluateCondition(child, metrics)).filter((r) => r.fired);
    return { fired: held.length > 0, measurements: held.flatMap((r) => r.measurements) };
  }
  const measurement = measure(node, metrics);
  return measurement ? { fired: true, measurements: [measurement] } : { fired: false, measurements: [] };
}

/** Fills "{metric}" placeholders of a reason template with measured values (unknown ones stay as written). */
export function renderReason(rule: RuleDefinition, metrics: MetricValues): string {
  return rule.reason.replace(/\{([a-z0-9_.@]+)\}/g, (whole, name: string) => {
    const value = metrics.get(name);
    return value === undefined ? whole : String(Math.round(value * 100) / 100);
  });
}

/** Every metric a set of rules reads (so the service knows what to compute). */
export function metricsUsed(rules: RuleDefinition[]): Set<string> {
  const used = new Set<string>();
  const visit = (node: ConditionNode) => {
    if (node.metric) used.add(node.metric);
    if (node.per) used.add(node.per);
    [...(node.all ?? []), ...(node.any ?? [])].forEach(visit);
  };
  rules.forEach((rule) => visit(rule.when));
  return used;
}
