import { IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ID_PATTERN } from '@vigil/contracts';
import { ExportListQuery, ImportListRequest, ListEntriesQuery, ListEntryParams, PutListEntryDto } from '@vigil/velocity-scoring';

/** The tenant a list request acts on: one the analyst sees; may be left out by a user of a single tenant. */
const TenantId = () => Matches(ID_PATTERN, { message: 'tenantId must be 1-128 characters of letters, digits and ._:@/+=-' });

/*
 * Each request is velocity's DTO (the same validation) plus the tenant, declared on the class
 * itself so the schema generator sees the class (it reads inherited decorators through it).
 */
export class ListEntriesRequest extends ListEntriesQuery {
  @IsOptional()
  @TenantId()
  tenantId?: string;
}

export class ListExportRequest extends ExportListQuery {
  @IsOptional()
  @TenantId()
  tenantId?: string;
}

export class ListImportRequest extends ImportListRequest {
  @IsOptional()
  @TenantId()
  tenantId?: string;
}

export class ListChangesRequest {
  @IsOptional()
  @TenantId()
  tenantId?: string;
}

/** Adds or replaces an entry (velocity's PUT): the entity, why, the rules an allow entry mutes, its lifetime. */
export class PutListEntryRequest extends IntersectionType(ListEntryParams, PutListEntryDto) {
  @IsOptional()
  @TenantId()
  tenantId?: string;

  /** Why (never empty from the dashboard). */
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  declare reason: string;
}

export class RemoveListEntryRequest extends ListEntryParams {
  @IsOptional()
  @TenantId()
  tenantId?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}
