import { JsonSchema } from '@vigil/contracts';
import { RuleChange } from '@vigil/rules';

/*
 * The answers of velocity's rules API (and of alerting's routes in front of it), with their
 * OpenAPI schemas typed by the interfaces: a field added or removed fails the type check until
 * the schema follows.
 */

export interface RuleView {
  id: string;
  /** The version signals carry: the file's, or file × 1000 + revision once the tenant changed it. */
  version: number;
  fileVersion: number;
  mode: string;
  severity: string;
  subject: string;
  window: string;
  events: string[];
  description?: string;
  reason: string;
  thresholds: { metric: string; op: string; value: number }[];
  /** The tenant's change in force (absent: the file's rule as it is). */
  change?: RuleChange;
}

export interface RuleRun {
  version: number;
  mode: string;
  signals: number;
  subjects: number;
}

export interface RulePreview {
  ruleId: string;
  from: string;
  to: string;
  /** The tenant's events of the window velocity evaluates (valid, deduplicated). */
  events: number;
  /** The read stopped at VELOCITY_BACKTEST_MAX_EVENTS messages. */
  truncated: boolean;
  current: RuleRun;
  proposed: RuleRun;
  /** Subjects the change would flag that the current rule does not, and the reverse (at most 20 each). */
  newlyFlagged: string[];
  noLongerFlagged: string[];
}

const int: JsonSchema = { type: 'integer' };
const str: JsonSchema = { type: 'string' };
const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
const thresholds: JsonSchema = { type: 'array', items: { type: 'object', required: ['metric', 'value'], properties: { metric: str, op: str, value: { type: 'number' } } } };

const ruleChange: { [K in keyof RuleChange]-?: JsonSchema } = {
  tenantId: str,
  ruleId: str,
  baseVersion: { type: 'integer', description: 'the rules file version the change applies to' },
  revision: { type: 'integer', description: 'ruleVersion of the signals = baseVersion × 1000 + revision' },
  mode: { type: 'string', enum: ['enforce', 'shadow'] },
  thresholds,
  actor: str,
  reason: str,
  at: dateTime,
};
const ruleView: { [K in keyof RuleView]-?: JsonSchema } = {
  id: str, version: int, fileVersion: int, mode: { type: 'string', enum: ['enforce', 'shadow'] }, severity: str, subject: str, window: str,
  events: { type: 'array', items: str }, description: str, reason: str, thresholds, change: { $ref: '#/components/schemas/RuleChange' },
};
const ruleRun: { [K in keyof RuleRun]-?: JsonSchema } = { version: int, mode: str, signals: int, subjects: int };
const rulePreview: { [K in keyof RulePreview]-?: JsonSchema } = {
  ruleId: str, from: dateTime, to: dateTime,
  events: { type: 'integer', description: 'the tenant’s events of the window (valid, deduplicated)' },
  truncated: { type: 'boolean', description: 'the read stopped at VELOCITY_BACKTEST_MAX_EVENTS messages' },
  current: { type: 'object', required: Object.keys(ruleRun), properties: ruleRun },
  proposed: { type: 'object', required: Object.keys(ruleRun), properties: ruleRun },
  newlyFlagged: { type: 'array', items: str, description: '"<type>:<id>" of subjects only the change flags (at most 20)' },
  noLongerFlagged: { type: 'array', items: str, description: 'subjects only the current rule flags (at most 20)' },
};
const required = (map: Record<string, JsonSchema>, optional: string[]) => Object.keys(map).filter((k) => !optional.includes(k));

export const RULE_API_SCHEMAS: Record<string, JsonSchema> = {
  RuleChange: { type: 'object', required: required(ruleChange, ['mode', 'thresholds']), properties: ruleChange },
  RuleView: { type: 'object', required: required(ruleView, ['description', 'change']), properties: ruleView },
  RuleList: { type: 'object', required: ['rules', 'changes'], properties: { rules: { type: 'array', items: { $ref: '#/components/schemas/RuleView' } }, changes: { type: 'array', items: { $ref: '#/components/schemas/RuleChange' }, description: 'the tenant’s newest 50 changes' } } },
  RulePreview: { type: 'object', required: Object.keys(rulePreview), properties: rulePreview },
};
