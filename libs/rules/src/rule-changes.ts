import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { RULE_MODES, RuleMode } from '@vigil/contracts';
import { ConditionNode, METRIC_PATTERN, RuleDefinition } from './rule-definition';

/**
 * A tenant's change of one rule of the rules file, as it travels on the compacted `fraud.rules`
 * topic (key `<tenant>:<rule id>`, so compaction keeps each rule's latest state). It holds the
 * whole override (mode and every changed threshold), not a delta: the latest record alone is the
 * rule's state. It applies to the file's rule of `baseVersion` only; once the file changes the
 * rule (a new version), the file wins and the change is ignored.
 */
export interface RuleChange {
  tenantId: string;
  ruleId: string;
  baseVersion: number;
  /** 1, 2, ... per (tenant, rule, baseVersion): the signals' ruleVersion is baseVersion × 1000 + revision. */
  revision: number;
  mode?: RuleMode;
  /** New values of comparisons, by metric (every comparison of that metric in the rule). */
  thresholds?: { metric: string; value: number }[];
  actor: string;
  reason: string;
  at: string;
}

export class ThresholdChange {
  @Matches(METRIC_PATTERN, { message: 'metric must look like "account.order.count@10m"' })
  metric!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;
}

/** What an admin asks for: a mode, new thresholds, or both (a preview takes the same). */
export class RuleChangeRequest {
  @IsOptional()
  @IsIn(RULE_MODES)
  mode?: RuleMode;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ThresholdChange)
  thresholds?: ThresholdChange[];
}

export class ApplyRuleChangeRequest extends RuleChangeRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;

  /** The rule version the admin previewed; a change made by someone else since is a 409, not overwritten. */
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}

export const effectiveVersion = (change: Pick<RuleChange, 'baseVersion' | 'revision'>): number => change.baseVersion * 1000 + change.revision;

/** The comparisons of a rule (metric, op, value), in condition order, each metric once. */
export function thresholdsOf(rule: RuleDefinition): { metric: string; op: string; value: number }[] {
  const out: { metric: string; op: string; value: number }[] = [];
  const walk = (node: ConditionNode) => {
    node.all?.forEach(walk);
    node.any?.forEach(walk);
    if (node.metric && node.op && node.value !== undefined && !out.some((t) => t.metric === node.metric)) out.push({ metric: node.metric, op: node.op, value: node.value });
  };
  walk(rule.when);
  return out;
}

/** Problems of a requested change against the rule (empty: it can apply). */
export function changeProblems(rule: RuleDefinition, request: RuleChangeRequest): string[] {
  const known = new Set(thresholdsOf(rule).map((t) => t.metric));
  const problems = (request.thresholds ?? []).filter((t) => !known.has(t.metric)).map((t) => `${rule.id} compares no ${t.metric} (it compares ${[...known].join(', ')})`);
  if (!request.mode && !(request.thresholds ?? []).length) problems.push('nothing to change: give a mode or thresholds');
  return problems;
}

/** The rule with the change's mode and thresholds (pure; the file's rule is left as it is). */
export function applyRuleChange(rule: RuleDefinition, change: Pick<RuleChange, 'mode' | 'thresholds' | 'baseVersion' | 'revision'>): RuleDefinition {
  const values = new Map((change.thresholds ?? []).map((t) => [t.metric, t.value]));
  const rewrite = (node: ConditionNode): ConditionNode => ({
    ...node,
    ...(node.all ? { all: node.all.map(rewrite) } : {}),
    ...(node.any ? { any: node.any.map(rewrite) } : {}),
    ...(node.metric && values.has(node.metric) ? { value: values.get(node.metric) } : {}),
  });
  return { ...rule, mode: change.mode ?? rule.mode, version: effectiveVersion(change), when: rewrite(rule.when) };
}

/** A tenant's rules: the file's, each with its tenant change applied when that change was made on the file's version. */
export function effectiveRules(fileRules: readonly RuleDefinition[], changes: ReadonlyMap<string, RuleChange> | undefined): RuleDefinition[] {
  if (!changes || changes.size === 0) return [...fileRules];
  return fileRules.map((rule) => {
    const change = changes.get(rule.id);
    return change && change.baseVersion === rule.version ? applyRuleChange(rule, change) : rule;
  });
}
