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

export const DECISIONS = ['acknowledged', 'confirmed_fraud', 'false_positive'] as const;
export type Decision = (typeof DECISIONS)[number];

/** `fraud.decisions`: an analyst's decision on an alert. The alert state is rebuilt from these. */
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

  @IsISO8601()
  decidedAt!: string;
}
