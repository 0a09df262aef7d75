import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { AuthenticatedTenant, TenantKeyGuard } from '@vigil/auth';
import { ListEntry, ListEntryParams, PutListEntryDto } from './list-entry';
import { ListsService } from './lists.service';

/**
 * PUT    /v1/lists/:list/:entityType/:entityId  {reason, rules?, ttlDays?}
 * GET    /v1/lists/:list/:entityType/:entityId
 * DELETE /v1/lists/:list/:entityType/:entityId
 * list: allow | deny; entityType: account, seller, device, ip, card, email_domain, wallet.
 * Every route needs a tenant admin key (VELOCITY_ADMIN_KEYS); the entry belongs to the key's tenant.
 */
@Controller('v1/lists/:list/:entityType/:entityId')
@UseGuards(TenantKeyGuard)
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  @Put()
  put(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams, @Body() body: PutListEntryDto): Promise<ListEntry> {
    return this.lists.put(tenantId, params, body);
  }

  @Get()
  get(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams): Promise<ListEntry> {
    return this.lists.get(tenantId, params);
  }

  @Delete()
  @HttpCode(204)
  remove(@AuthenticatedTenant() tenantId: string, @Param() params: ListEntryParams): Promise<void> {
    return this.lists.remove(tenantId, params);
  }
}
