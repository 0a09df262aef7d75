import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedTenant, TenantKeyGuard } from '@vigil/auth';
import { TenantAdminRouteDocs } from '../auth/tenant-admin-routes.decorator';
import { ApiParamsFrom, ApiQueryFrom, schemaRef } from '@vigil/service-runtime';

import { ExportListQuery, ImportListRequest, ImportResult, ListChange, ListEntriesQuery, ListEntry, ListPage, ListEntryParams, PutListEntryDto, RemoveListEntryQuery } from '@vigil/velocity-scoring';
import { Actor, ActorHeader } from './actor';
import { ListsService } from './lists.service';

/**
 * PUT    /v1/lists/:list/:entityType/:entityId  {reason, rules?, ttlDays?}
 * GET    /v1/lists/:list/:entityType/:entityId
 * DELETE /v1/lists/:list/:entityType/:entityId?reason=
 * GET    /v1/lists?list=&entityType=&offset=&limit=   the tenant's entries, soonest expiry first
 * GET    /v1/lists/export?list=                       one list as CSV
 * POST   /v1/lists/import  {list, csv}                CSV rows onto one list
 * GET    /v1/lists/changes                            who changed what, and why (newest first)
 * list: allow | deny; entityType: account, seller, device, ip, card, email_domain, wallet.
 * Every route needs a tenant admin key (VELOCITY_ADMIN_KEYS); the entries belong to the key's tenant.
 */
@ApiTags('lists')
@TenantAdminRouteDocs()
@ApiResponse({ status: 400, description: 'invalid path, query or body: every failing field', schema: schemaRef('HttpError') })
@Controller('v1/lists')
@UseGuards(TenantKeyGuard)
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  @Get()
  @ApiQueryFrom(ListEntriesQuery)
  @ApiOkResponse({ description: 'a page of the tenant’s entries, soonest expiry first; `next` is the offset of the next page', schema: schemaRef('ListPage') })
  entries(@AuthenticatedTenant() tenantId: string, @Query() query: ListEntriesQuery): Promise<ListPage> {
    return this.lists.list(tenantId, query);
  }

  @Get('export')
  @ApiQueryFrom(ExportListQuery)
  @ApiProduces('text/csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiOkResponse({ description: 'CSV: entityType, entityId, reason, rules, expiresAt, addedBy, addedAt (at most 10,000 rows)', schema: { type: 'string' } })
  exportCsv(@AuthenticatedTenant() tenantId: string, @Query() query: ExportListQuery): Promise<string> {
    return this.lists.exportCsv(tenantId, query.list);
  }

  @Post('import')
  @HttpCode(200)
  @ActorHeader()
  @ApiOkResponse({ description: 'valid rows written (replacing entries of the same entities); invalid rows listed by line', schema: schemaRef('ListImport') })
  @ApiConflictResponse({ description: 'the rows would pass VELOCITY_LIST_MAX_ENTRIES', schema: schemaRef('HttpError') })
  importCsv(@AuthenticatedTenant() tenantId: string, @Body() body: ImportListRequest, @Actor() actor: string): Promise<ImportResult> {
    return this.lists.importCsv(tenantId, body.list, body.csv, actor);
  }

  @Get('changes')
  @ApiOkResponse({ description: 'the newest 50 changes of the tenant’s lists', schema: schemaRef('ListChanges') })
  async changes(@AuthenticatedTenant() tenantId: string): Promise<{ changes: ListChange[] }> {
    return { changes: await this.lists.changes(tenantId) };
  }

  @Put(':list/:entityType/:entityId')
  @ActorHeader()
  @ApiParamsFrom(ListEntryParams)
  @ApiOkResponse({ description: 'the entry as stored (replaces an existing one)', schema: schemaRef('ListEntry') })
  @ApiConflictResponse({ description: 'the tenant holds VELOCITY_LIST_MAX_ENTRIES entries', schema: schemaRef('HttpError') })
  put(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams, @Body() body: PutListEntryDto, @Actor() actor: string): Promise<ListEntry> {
    return this.lists.put(tenantId, params, body, actor);
  }

  @Get(':list/:entityType/:entityId')
  @ApiParamsFrom(ListEntryParams)
  @ApiOkResponse({ schema: schemaRef('ListEntry') })
  @ApiNotFoundResponse({ description: 'no such entry for the key’s tenant', schema: schemaRef('HttpError') })
  get(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams): Promise<ListEntry> {
    return this.lists.get(tenantId, params);
  }

  @Delete(':list/:entityType/:entityId')
  @HttpCode(204)
  @ActorHeader()
  @ApiParamsFrom(ListEntryParams)
  @ApiQueryFrom(RemoveListEntryQuery)
  @ApiNoContentResponse({ description: 'removed' })
  @ApiNotFoundResponse({ description: 'no such entry for the key’s tenant', schema: schemaRef('HttpError') })
  remove(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams, @Query() query: RemoveListEntryQuery, @Actor() actor: string): Promise<void> {
    return this.lists.remove(tenantId, params, actor, query.reason);
  }
}
