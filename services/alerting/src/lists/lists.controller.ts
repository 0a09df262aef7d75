import { Body, Controller, Get, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiQueryFrom, schemaRef } from '@vigil/service-runtime';
import { ListEntry } from '@vigil/velocity-scoring';
import { AnalystAuthGuard, CurrentAnalyst, RequireRole } from '../users/analyst-auth.guard';
import { AnalystUser } from '../users/analyst-users';
import { ListChangesRequest, ListEntriesRequest, ListExportRequest, ListImportRequest, PutListEntryRequest, RemoveListEntryRequest } from './lists.dto';
import { tenantOf } from '../velocity-api/tenant';
import { AnalystRoutesForwardedToVelocity } from '../velocity-api/velocity-api.decorators';
import { VelocityClient } from '../velocity-api/velocity.client';

const enc = encodeURIComponent;

/**
 * The dashboard's allow and deny lists: each route checks the analyst (role, tenant) and forwards
 * to velocity's lists API (VelocityListsClient), which owns, validates, stores and logs entries.
 * Writes need the analyst role and record the analyst as the actor, with a reason.
 */
@ApiTags('lists')
@AnalystRoutesForwardedToVelocity()
@ApiResponse({ status: 400, description: 'invalid query or body: every failing field', schema: schemaRef('HttpError') })
@ApiResponse({ status: 401, description: 'no or unknown analyst token', schema: schemaRef('HttpError') })
@ApiResponse({ status: 403, description: 'the role or the tenants of the caller do not allow it', schema: schemaRef('HttpError') })
@Controller('v1/lists')
@UseGuards(AnalystAuthGuard)
export class ListsController {
  constructor(private readonly velocity: VelocityClient) {}

  @Get('entries')
  @ApiQueryFrom(ListEntriesRequest)
  @ApiOkResponse({ description: 'a page of the tenant’s entries, soonest expiry first (velocity’s GET /v1/lists)', schema: schemaRef('ListPage') })
  entries(@Query() query: ListEntriesRequest, @CurrentAnalyst() user: AnalystUser): Promise<unknown> {
    const q = new URLSearchParams();
    for (const name of ['list', 'entityType', 'offset', 'limit'] as const) if (query[name] !== undefined) q.set(name, String(query[name]));
    return this.velocity.json(tenantOf(query, user), 'GET', `/v1/lists?${q}`);
  }

  @Post('entries')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ description: 'the entry as velocity stored it (replaces one of the same entity), with the caller as addedBy', schema: schemaRef('ListEntry') })
  @ApiConflictResponse({ description: 'the tenant holds VELOCITY_LIST_MAX_ENTRIES entries', schema: schemaRef('HttpError') })
  put(@Body() body: PutListEntryRequest, @CurrentAnalyst() user: AnalystUser): Promise<ListEntry> {
    const { list, entityType, entityId, reason, rules, ttlDays } = body;
    return this.velocity.json(tenantOf(body, user), 'PUT', `/v1/lists/${list}/${entityType}/${enc(entityId)}`, user.name, { reason, rules, ttlDays });
  }

  @Post('entries/delete')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ schema: schemaRef('ListEntryRemoved') })
  @ApiNotFoundResponse({ description: 'no such entry in the tenant’s list', schema: schemaRef('HttpError') })
  async remove(@Body() body: RemoveListEntryRequest, @CurrentAnalyst() user: AnalystUser): Promise<{ removed: true }> {
    await this.velocity.call(tenantOf(body, user), 'DELETE', `/v1/lists/${body.list}/${body.entityType}/${enc(body.entityId)}?reason=${enc(body.reason)}`, user.name);
    return { removed: true };
  }

  @Get('export')
  @ApiQueryFrom(ListExportRequest)
  @ApiProduces('text/csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiOkResponse({ description: 'CSV: entityType, entityId, reason, rules, expiresAt, addedBy, addedAt (imports back as it is)', schema: { type: 'string' } })
  async exportCsv(@Query() query: ListExportRequest, @CurrentAnalyst() user: AnalystUser): Promise<string> {
    return (await this.velocity.call(tenantOf(query, user), 'GET', `/v1/lists/export?list=${query.list}`)).text;
  }

  @Post('import')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ description: 'valid rows written, invalid rows listed by line (1 = the header)', schema: schemaRef('ListImport') })
  @ApiConflictResponse({ description: 'the rows would pass VELOCITY_LIST_MAX_ENTRIES', schema: schemaRef('HttpError') })
  importCsv(@Body() body: ListImportRequest, @CurrentAnalyst() user: AnalystUser): Promise<unknown> {
    return this.velocity.json(tenantOf(body, user), 'POST', '/v1/lists/import', user.name, { list: body.list, csv: body.csv });
  }

  @Get('changes')
  @ApiQueryFrom(ListChangesRequest)
  @ApiOkResponse({ description: 'the newest 50 changes of the tenant’s lists: who, what, why', schema: schemaRef('ListChanges') })
  changes(@Query() query: ListChangesRequest, @CurrentAnalyst() user: AnalystUser): Promise<unknown> {
    return this.velocity.json(tenantOf(query, user), 'GET', '/v1/lists/changes');
  }
}
