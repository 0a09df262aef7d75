import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { ID_PATTERN } from '@vigil/contracts';
import { LIST_ENTITY_TYPES, LIST_KINDS, ListEntityType, ListKind } from '@vigil/velocity-scoring';

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
