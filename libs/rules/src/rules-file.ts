import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import YAML from 'yaml';
import { parseDuration } from '@vigil/counters';
import { ConditionNode, RuleDefinition, RulesFile } from './rule-definition';

export class InvalidRulesFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid rules file: ${problems.join('; ')}`);
  }
}

export interface RulesFileOptions {
  /** Tells whether a metric exists, so a typo in a rule is refused instead of never firing. */
  isKnownMetric?: (metric: string) => boolean;
}

function flatten(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((error) => {
    const here = path ? `${path}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${here}: ${message}`);
    return [...own, ...flatten(error.children ?? [], here)];
  });
}

function* metricsOf(node: ConditionNode): Generator<string> {
  if (node.metric) yield node.metric;
  if (node.per) yield node.per;
  for (const child of [...(node.all ?? []), ...(node.any ?? [])]) yield* metricsOf(child);
}

function checkShape(node: ConditionNode, path: string, problems: string[]): void {
  const forms = [node.all, node.any, node.metric].filter((x) => x !== undefined).length;
  if (forms !== 1) problems.push(`${path}: needs exactly one of "all", "any" or "metric"`);
  if (node.metric !== undefined && (node.op === undefined || node.value === undefined)) {
    problems.push(`${path}: a comparison needs "op" and "value"`);
  }
  node.all?.forEach((child, i) => checkShape(child, `${path}.all.${i}`, problems));
  node.any?.forEach((child, i) => checkShape(child, `${path}.any.${i}`, problems));
}

/**
 * Parses and validates a rules file (YAML, of which JSON is a subset). Throws
 * InvalidRulesFileError listing every problem (field + reason), never a partial rule set.
 */
export function parseRulesFile(text: string, options: RulesFileOptions = {}): RuleDefinition[] {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (error) {
    throw new InvalidRulesFileError([`not valid YAML/JSON: ${(error as Error).message}`]);
  }
  if (typeof raw !== 'object' || raw === null) throw new InvalidRulesFileError(['the file must be an object with "version" and "rules"']);
  const file = plainToInstance(RulesFile, raw);
  const problems = flatten(validateSync(file, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length > 0) throw new InvalidRulesFileError(problems);
  const seen = new Set<string>();
  file.rules.forEach((rule, i) => {
    const path = `rules.${i} (${rule.id})`;
    if (seen.has(rule.id)) problems.push(`${path}: duplicate rule id`);
    seen.add(rule.id);
    try {
      parseDuration(rule.window);
    } catch (error) {
      problems.push(`${path}.window: ${(error as Error).message}`);
    }
    checkShape(rule.when, `${path}.when`, problems);
    for (const metric of metricsOf(rule.when)) {
      if (options.isKnownMetric && !options.isKnownMetric(metric)) problems.push(`${path}: unknown metric "${metric}"`);
    }
  });
  if (problems.length > 0) throw new InvalidRulesFileError(problems);
  return file.rules;
}
