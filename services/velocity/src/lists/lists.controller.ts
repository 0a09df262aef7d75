import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ListEntry, ListEntryParams, PutListEntryDto } from './list-entry';
import { ListsService } from './lists.service';

/**
 * PUT    /v1/lists/:tenantId/:list/:entityType/:entityId  {reason, rules?, ttlDays?}
 * GET    /v1/lists/:tenantId/:list/:entityType/:entityId
 * DELETE /v1/lists/:tenantId/:list/:entityType/:entityId
 * list: allow | deny; entityType: account, seller, device, ip, card, email_domain, wallet.
 */
@Controller('v1/lists/:tenantId/:list/:entityType/:entityId')
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  @Put()
  put(@Param() params: ListEntryParams, @Body() body: PutListEntryDto): Promise<ListEntry> {
    return this.lists.put(params, body);
  }

  @Get()
  get(@Param() params: ListEntryParams): Promise<ListEntry> {
    return this.lists.get(params);
  }

  @Delete()
  @HttpCode(204)
  remove(@Param() params: ListEntryParams): Promise<void> {
    return this.lists.remove(params);
  }
}
