import { Baseline } from './counters-engine';

/**
 * z-score of the current period against the entity's own decayed history. Returns null until
 * `minPeriods` periods were folded in (no history, no judgement). The variance gets a floor of 1
 * so a perfectly regular entity (variance 0) does not fire on +1.
 */
export function baselineZScore(baseline: Baseline | undefined, minPeriods: number): number | null {
  if (!baseline || baseline.periods < minPeriods) return null;
  return (baseline.current - baseline.mean) / Math.sqrt(Math.max(baseline.variance, 1));
}
