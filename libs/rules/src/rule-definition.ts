import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EVENT_TYPE_NAMES, EventType, RULE_MODES, RuleMode, SEVERITIES, Severity, SUBJECT_TYPES, SubjectType } from '@vigil/contracts';

export const COMPARATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** `<entity>.<name>` or `<entity>.<counter>@<window>`, e.g. "device.accounts.distinct@24h", "account.age_min". */
export const METRIC_PATTERN = /^[a-z_]+\.[a-z0-9_.]+(@\d+[smhd])?$/;

/**
 * One node of a rule's condition: either a comparison (metric op value, optionally metric/per)
 * or a group (all = AND, any = OR) of nodes. Exactly one form per node (checked in rules-file.ts).
 */
export class ConditionNode {
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConditionNode)
  all?: ConditionNode[];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConditionNode)
  any?: ConditionNode[];

  @IsOptional()
  @Matches(METRIC_PATTERN, { message: 'metric must look like "account.order.count@10m" or "account.age_min"' })
  metric?: string;

  /** Divide metric by this one (a rate, e.g. refunds per order); a zero divisor never matches. */
  @IsOptional()
  @Matches(METRIC_PATTERN, { message: 'per must look like "account.order.count@7d"' })
  per?: string;

  @IsOptional()
  @IsIn(COMPARATORS)
  op?: Comparator;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value?: number;
}

export class RuleDefinition {
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'id must be kebab-case, 2-64 characters' })
  id!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** Entity the signal is about; its id comes from the triggering event. */
  @IsIn(SUBJECT_TYPES)
  subject!: SubjectType;

  /** Event types that trigger an evaluation. */
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(EVENT_TYPE_NAMES, { each: true })
  events!: EventType[];

  @IsIn(RULE_MODES)
  mode!: RuleMode;

  @IsIn(SEVERITIES)
  severity!: Severity;

  /** The rule fires at most once per subject per bucket of this length (and it is the signal's window). */
  @Matches(/^\d+[smhd]$/, { message: 'window must be a duration such as "10m", "1h" or "7d"' })
  window!: string;

  @ValidateNested()
  @Type(() => ConditionNode)
  when!: ConditionNode;

  /** Human-readable reason; {metric.name@window} placeholders are replaced by measured values. */
  @IsString()
  @MaxLength(500)
  reason!: string;
}

export class RulesFile {
  @IsInt()
  @Min(1)
  version!: number;

  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => RuleDefinition)
  rules!: RuleDefinition[];
}
