import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { ID_PATTERN } from '@vigil/contracts';
import { LIST_ENTITY_TYPES, LIST_KINDS, ListEntityType, ListKind } from './list-entry';

/*
 * The request shapes of a list entry, validated the same way wherever one is written: velocity's
 * lists API, its CSV import, and alerting, which forwards the dashboard's changes to that API.
 */

/** The URL's part; the tenant comes from the caller's key, never from the URL. */
export class ListEntryParams {
  @IsIn(LIST_KINDS)
  list!: ListKind;

  @IsIn(LIST_ENTITY_TYPES)
  entityType!: ListEntityType;

  @Matches(ID_PATTERN, { message: 'entityId must be 1-128 characters of letters, digits and . _ : @ / + = -' })
  entityId!: string;
}

export class PutListEntryDto {
  @IsString()
  @MaxLength(500)
  reason!: string;

  /** Rules an allow entry suppresses; "*" for all. Required for allow entries. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(/^(\*|[a-z0-9][a-z0-9-]{1,63})$/, { each: true, message: 'each rule must be a rule id or "*"' })
  rules?: string[];

  /** Days until the entry expires (every Redis key expires). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  ttlDays?: number;
}

export class RemoveListEntryQuery {
  /** Why it is removed (kept in the list's change log). */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ListEntriesQuery {
  @IsOptional()
  @IsIn(LIST_KINDS)
  list?: ListKind;

  @IsOptional()
  @IsIn(LIST_ENTITY_TYPES)
  entityType?: ListEntityType;

  /** Position in the tenant's entries, soonest expiry first (the `next` of the previous page). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ExportListQuery {
  @IsIn(LIST_KINDS)
  list!: ListKind;
}

/** CSV text in a JSON body: the service's JSON body limit (100 kB) bounds it before this does. */
export const IMPORT_MAX_CHARS = 90_000;
export const IMPORT_MAX_ROWS = 2000;

export class ImportListRequest {
  @IsIn(LIST_KINDS)
  list!: ListKind;

  /** Header row with entityType, entityId, reason; optional rules (space-separated), ttlDays or expiresAt (an export reads back). */
  @IsString()
  @MaxLength(IMPORT_MAX_CHARS)
  csv!: string;
}
