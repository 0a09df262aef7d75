import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ALERT_STATUSES, DECISIONS, Decision, SEVERITIES, Subject, SUBJECT_TYPES } from '@vigil/contracts';

export class ListAlertsQuery {
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  ruleId?: string;

  @IsOptional()
  @IsIn(SUBJECT_TYPES)
  subjectType?: string;

  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class DecisionRequest {
  @IsIn(DECISIONS)
  decision!: Decision;

  @IsString()
  @MaxLength(128)
  analyst!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class SnoozeRequest {
  @IsString()
  @MaxLength(128)
  ruleId!: string;

  /** Muted until this time (ISO 8601); the Redis key expires then. */
  @IsISO8601()
  until!: string;

  /** Absent: the rule is muted for every subject. */
  @IsOptional()
  @ValidateNested()
  @Type(() => Subject)
  subject?: Subject;
}
