import { BadRequestException, Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedTenant, TenantKeyGuard } from '@vigil/auth';
import { TenantAdminRouteDocs } from '../auth/tenant-admin-routes.decorator';
import { ID_PATTERN } from '@vigil/contracts';
import { schemaRef } from '@vigil/service-runtime';
import { countersOf, ENTITY_SETS, ENTITY_TYPES, entityView, EntityView, isEntityType } from '@vigil/velocity-scoring';
import { ListsService } from '../lists/lists.service';
import { VelocityConsumer } from '../scoring/velocity.consumer';

/** GET /v1/entities/:entityType/:entityId — read only: what velocity's rules see of an entity of the key's tenant. */
@ApiTags('entities')
@TenantAdminRouteDocs()
@ApiResponse({ status: 400, description: 'unknown entity type or invalid id', schema: schemaRef('HttpError') })
@Controller('v1/entities')
@UseGuards(TenantKeyGuard)
export class EntitiesController {
  constructor(
    @Inject(VelocityConsumer) private readonly velocity: VelocityConsumer,
    private readonly lists: ListsService,
  ) {}

  @Get(':entityType/:entityId')
  @ApiParam({ name: 'entityType', schema: { type: 'string', enum: [...ENTITY_TYPES] } })
  @ApiParam({ name: 'entityId', schema: { type: 'string', pattern: ID_PATTERN.source } })
  @ApiOkResponse({ description: 'counters as of its newest event, facts, entities seen with it, its list entry (an unknown entity: zeros)', schema: schemaRef('EntityView') })
  async get(@AuthenticatedTenant() tenantId: string, @Param('entityType') entityType: string, @Param('entityId') entityId: string): Promise<EntityView> {
    if (!isEntityType(entityType)) throw new BadRequestException(`entityType must be one of ${ENTITY_TYPES.join(', ')}`);
    if (!ID_PATTERN.test(entityId)) throw new BadRequestException(`entityId must match ${ID_PATTERN.source}`);
    const id = entityType === 'email_domain' ? entityId.toLowerCase() : entityId;
    const [snapshot, entry] = await Promise.all([
      this.velocity.engine.snapshot({ tenantId, type: entityType, id }, countersOf(entityType), ENTITY_SETS[entityType] ?? []),
      entityType === 'address' || entityType === 'promo_code' ? null : this.lists.entryFor(tenantId, entityType, id),
    ]);
    return entityView(entityType, id, snapshot, entry);
  }
}
