import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ALERT_STATUSES, ID_PATTERN, SEVERITIES, Subject, SUBJECT_TYPES, SubjectType, Verdict, VERDICTS } from '@vigil/contracts';

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

/** The analyst's part of an AlertDecision: a verdict (case actions have their own routes); the service adds ids, time and the authenticated analyst. */
export class DecisionRequest {
  @IsIn(VERDICTS)
  decision!: Verdict;

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

  /** Why (listed with the snooze and kept in the snooze log, with the caller as actor). */
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class UnsnoozeRequest {
  @IsString()
  @MaxLength(128)
  ruleId!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Subject)
  subject?: Subject;

  /** Why it is lifted early (kept in the snooze log). */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  /** Ignored (accepted for clients that send the snooze they lift as it was). */
  @IsOptional()
  @IsISO8601()
  until?: string;
}

/** GET /v1/alerts/search: every field optional; all given fields must match. */
export class SearchAlertsQuery {
  /** One tenant of the caller's (default: all of them). */
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'tenantId must be 1-128 characters of letters, digits and ._:@/+=-' })
  tenantId?: string;

  /** The type of `entityId` (without it, any type). */
  @IsOptional()
  @IsIn(SUBJECT_TYPES)
  entityType?: SubjectType;

  /** An entity the alert is about: its subject, a signal's subject, or one named in a signal's evidence (device, IP, card, wallet...). */
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'entityId must be 1-128 characters of letters, digits and ._:@/+=-' })
  entityId?: string;

  @IsOptional()
  @Matches(ID_PATTERN, { message: 'subjectId must be 1-128 characters of letters, digits and ._:@/+=-' })
  subjectId?: string;

  @IsOptional()
  @IsIn(SUBJECT_TYPES)
  subjectType?: SubjectType;

  @IsOptional()
  @Matches(ID_PATTERN, { message: 'ruleId must be 1-128 characters of letters, digits and ._:@/+=-' })
  ruleId?: string;

  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: string;

  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: string;

  /** Held by this analyst; empty: unassigned alerts only. */
  @IsOptional()
  @Matches(/^[\w.@-]{0,64}$/, { message: 'assignee must be an analyst name (or empty for unassigned)' })
  assignee?: string;

  /** First seen at or after (ISO 8601 with a time zone). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** First seen at or before (ISO 8601 with a time zone). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class SearchPageQuery extends SearchAlertsQuery {
  /** The `next` of the previous page. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be the `next` value of a previous page' })
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ExportQuery extends SearchAlertsQuery {
  @IsOptional()
  @IsIn(['csv', 'json'])
  format?: 'csv' | 'json';
}

export class AssignRequest {
  /** Who takes the alert (default: the caller); a colleague must be an analyst of the alert's tenant. */
  @IsOptional()
  @Matches(/^[\w.@-]{1,64}$/, { message: 'assignee must be an analyst name' })
  assignee?: string;
}

export class NextRequest {
  /** Only this tenant's queue (default: all the caller's tenants). */
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'tenantId must be 1-128 characters of letters, digits and ._:@/+=-' })
  tenantId?: string;
}

export class CommentRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  comment!: string;
}

export class BulkDecisionRequest {
  /** The selection: 1 to 100 alerts of the caller's tenants. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(ID_PATTERN, { each: true, message: 'each alertId must be 1-128 characters of letters, digits and ._:@/+=-' })
  alertIds!: string[];

  @IsIn(VERDICTS)
  decision!: Verdict;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
