import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthenticatedTenant, TenantKeyGuard } from '@vigil/auth';
import { ApiParamsFrom, schemaRef } from '@vigil/service-runtime';
import { ListEntry } from '@vigil/velocity-scoring';
import { ListEntryParams, PutListEntryDto } from './list-entry';
import { ListsService } from './lists.service';

/**
 * PUT    /v1/lists/:list/:entityType/:entityId  {reason, rules?, ttlDays?}
 * GET    /v1/lists/:list/:entityType/:entityId
 * DELETE /v1/lists/:list/:entityType/:entityId
 * list: allow | deny; entityType: account, seller, device, ip, card, email_domain, wallet.
 * Every route needs a tenant admin key (VELOCITY_ADMIN_KEYS); the entry belongs to the key's tenant.
 */
@ApiTags('lists')
@ApiSecurity('adminKey')
@ApiResponse({ status: 400, description: 'invalid path or body: every failing field', schema: schemaRef('HttpError') })
@ApiResponse({ status: 401, description: 'missing or unknown admin key', schema: schemaRef('HttpError') })
@Controller('v1/lists/:list/:entityType/:entityId')
@UseGuards(TenantKeyGuard)
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  @Put()
  @ApiParamsFrom(ListEntryParams)
  @ApiOkResponse({ description: 'the entry as stored (replaces an existing one)', schema: schemaRef('ListEntry') })
  put(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams, @Body() body: PutListEntryDto): Promise<ListEntry> {
    return this.lists.put(tenantId, params, body);
  }

  @Get()
  @ApiParamsFrom(ListEntryParams)
  @ApiOkResponse({ schema: schemaRef('ListEntry') })
  @ApiNotFoundResponse({ description: 'no such entry for the key’s tenant', schema: schemaRef('HttpError') })
  get(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams): Promise<ListEntry> {
    return this.lists.get(tenantId, params);
  }

  @Delete()
  @HttpCode(204)
  @ApiParamsFrom(ListEntryParams)
  @ApiNoContentResponse({ description: 'removed' })
  @ApiNotFoundResponse({ description: 'no such entry for the key’s tenant', schema: schemaRef('HttpError') })
  remove(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams): Promise<void> {
    return this.lists.remove(tenantId, params);
  }
}
