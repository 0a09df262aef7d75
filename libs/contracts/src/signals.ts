import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EVENT_TYPE_NAMES, EventType } from './event-types';
import { IsEntityId } from './events/common';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SUBJECT_TYPES = [
  'account',
  'seller',
  'listing',
  'product',
  'wallet',
  'device',
  'ip',
  'card',
  'address',
  'promo_code',
] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/** What a signal or alert is about. */
export class Subject {
  @IsIn(SUBJECT_TYPES)
  type!: SubjectType;

  @IsEntityId()
  id!: string;

  @IsEntityId()
  tenantId!: string;
}

/** One measured value compared with its threshold, e.g. "orders per card in 10m: 7 > 5". */
export class Measurement {
  /** What was measured, e.g. "order.count" or "distinct_accounts". */
  @IsString()
  @MaxLength(128)
  name!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  threshold?: number;

  /** How value was compared with threshold: ">", ">=", "<", "<=", "==", "z>" (baseline z-score). */
  @IsOptional()
  @IsString()
  @MaxLength(8)
  comparator?: string;

  /** Window of the counter, e.g. "10m"; absent for facts such as account age. */
  @IsOptional()
  @IsString()
  @MaxLength(16)
  window?: string;
}

/** An event that contributed to a signal. */
export class EventRef {
  @IsEntityId()
  eventId!: string;

  @IsIn(EVENT_TYPE_NAMES)
  type!: EventType;

  @IsISO8601()
  occurredAt!: string;
}

export const RULE_MODES = ['enforce', 'shadow'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/**
 * `fraud.signals`: one rule or detector fired. Signals are the input of alerting; a signal
 * alone is evidence, not yet an alert.
 */
export class FraudSignal {
  /** Unique, deterministic per (rule, subject, triggering event), so a redelivered event yields the same id. */
  @IsEntityId()
  signalId!: string;

  @IsInt()
  @Min(1)
  schemaVersion!: number;

  /** Rule or detector id, e.g. "card-testing" or "review-campaign". */
  @IsEntityId()
  ruleId!: string;

  @IsInt()
  @Min(1)
  ruleVersion!: number;

  /** The service that produced it (velocity, review-analysis, ...). */
  @IsString()
  @MaxLength(64)
  source!: string;

  /** shadow: recorded and measured, never turned into an alert. */
  @IsIn(RULE_MODES)
  mode!: RuleMode;

  @IsIn(SEVERITIES)
  severity!: Severity;

  @ValidateNested()
  @Type(() => Subject)
  subject!: Subject;

  /** Human-readable explanation, e.g. "7 orders on one card within 10 minutes (limit 5)". */
  @IsString()
  @MaxLength(1000)
  reason!: string;

  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => Measurement)
  measurements!: Measurement[];

  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => EventRef)
  triggeringEvents!: EventRef[];

  /** Detector-specific evidence (a takeover chain, a taint path, matching review ids...). */
  @IsOptional()
  @IsObject()
  evidence?: Record<string, unknown>;

  /** Event time of the latest triggering event. */
  @IsISO8601()
  occurredAt!: string;

  /** Wall-clock time the signal was produced. */
  @IsISO8601()
  detectedAt!: string;

  @IsOptional()
  @IsEntityId()
  correlationId?: string;

  /** The event id that caused this signal. */
  @IsOptional()
  @IsEntityId()
  causationId?: string;
}
