import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsEntityId } from './events/common';
import { FraudSignal, Severity, SEVERITIES, Subject } from './signals';

export const ALERT_STATUSES = ['open', 'acknowledged', 'confirmed_fraud', 'false_positive'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * `fraud.alerts`: what platforms act on. One alert per subject and episode: signals about the
 * same subject within the combine window are merged into it and raise its score; each update
 * is republished with a higher `revision` (consumers keep the highest revision per alertId).
 */
export class FraudAlert {
  @IsEntityId()
  alertId!: string;

  @IsInt()
  @Min(1)
  schemaVersion!: number;

  /** Increases with every update of this alert. */
  @IsInt()
  @Min(1)
  revision!: number;

  @ValidateNested()
  @Type(() => Subject)
  subject!: Subject;

  @IsIn(SEVERITIES)
  severity!: Severity;

  /** 0..100, see the alerting service's README for the scoring. */
  @IsNumber()
  @Min(0)
  score!: number;

  @IsIn(ALERT_STATUSES)
  status!: AlertStatus;

  /** Every contributing signal, with its rule, measurements and triggering events. */
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FraudSignal)
  signals!: FraudSignal[];

  /** Human-readable one-paragraph summary. */
  @IsString()
  @MaxLength(2000)
  summary!: string;

  @IsISO8601()
  firstSeenAt!: string;

  @IsISO8601()
  lastSeenAt!: string;

  @IsOptional()
  @IsEntityId()
  correlationId?: string;
}

/** Verdicts change the alert's status. */
export const VERDICTS = ['acknowledged', 'confirmed_fraud', 'false_positive'] as const;
export type Verdict = (typeof VERDICTS)[number];
/**
 * Case work on the same topic (one partition per alert keeps verdicts, assignments and comments
 * of an alert in order): `assigned` / `unassigned` move the alert's lock, `commented` adds a note.
 */
export const CASE_ACTIONS = ['assigned', 'unassigned', 'commented'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];
export const DECISIONS = [...VERDICTS, ...CASE_ACTIONS] as const;
export type Decision = (typeof DECISIONS)[number];
export const isVerdict = (d: string): d is Verdict => (VERDICTS as readonly string[]).includes(d);

/**
 * `fraud.decisions`: an analyst's decision or case action on an alert, by the authenticated
 * analyst. The alert state (status, assignee, notes) is rebuilt from these.
 */
export class AlertDecision {
  @IsEntityId()
  decisionId!: string;

  @IsEntityId()
  alertId!: string;

  @IsIn(DECISIONS)
  decision!: Decision;

  @IsString()
  @MaxLength(128)
  analyst!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  /** `assigned`: who holds the alert now. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  assignee?: string;

  /**
   * `assigned` / `unassigned`: the holder the analyst saw ('' = nobody). Applied only if it is
   * still the holder (compare-and-set), so two analysts never both take the same alert.
   */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  previousAssignee?: string;

  @IsISO8601()
  decidedAt!: string;
}
