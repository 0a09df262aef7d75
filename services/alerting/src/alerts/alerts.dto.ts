import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PickType } from '@nestjs/swagger';
import { AlertDecision, ALERT_STATUSES, ID_PATTERN, SEVERITIES, Subject, SUBJECT_TYPES } from '@vigil/contracts';

export class ListAlertsQuery {
  /** One tenant's list: its newest ALERTING_INDEX_SIZE alerts, whatever the other tenants raise. */
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'tenantId must be 1-128 characters of letters, digits and ._:@/+=-' })
  tenantId?: string;

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

/** The analyst's part of an AlertDecision (same fields and validation; the service adds ids, time and the authenticated analyst). */
export class DecisionRequest extends PickType(AlertDecision, ['decision', 'comment'] as const) {}

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
