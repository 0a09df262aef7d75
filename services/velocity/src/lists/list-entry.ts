import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { ID_PATTERN } from '@vigil/contracts';

export const LIST_KINDS = ['allow', 'deny'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const LIST_ENTITY_TYPES = ['account', 'seller', 'device', 'ip', 'card', 'email_domain', 'wallet'] as const;
export type ListEntityType = (typeof LIST_ENTITY_TYPES)[number];

/** Stored (JSON) under the entity's ":list" key, read by the counters script with the counters. */
export interface ListEntry {
  list: ListKind;
  reason: string;
  /** allow: rule ids it suppresses ("*" = all); deny: unused. */
  rules: string[];
  addedAt: string;
  expiresAt: string;
}

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

export function parseListEntry(raw: string | null): ListEntry | null {
  // Written only by ListsService with JSON.stringify; a corrupt value fails loudly.
  return raw ? (JSON.parse(raw) as ListEntry) : null;
}

/** Does an allow entry suppress this rule? */
export function suppresses(entry: ListEntry | null, ruleId: string): boolean {
  return entry?.list === 'allow' && (entry.rules.includes('*') || entry.rules.includes(ruleId));
}
