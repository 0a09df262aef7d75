import { BadRequestException, Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ID_PATTERN, SUBJECT_TYPES, SubjectType } from '@vigil/contracts';
import { ApiQueryFrom, schemaRef } from '@vigil/service-runtime';
import { EntityView, isEntityType } from '@vigil/velocity-scoring';
import { AlertView } from '../alerts/alert-document';
import { AlertStore } from '../alerts/alert-store';
import { AnalystAuthGuard, CurrentAnalyst } from '../users/analyst-auth.guard';
import { AnalystUser } from '../users/analyst-users';
import { tenantOf } from '../velocity-api/tenant';
import { AnalystRoutesForwardedToVelocity } from '../velocity-api/velocity-api.decorators';
import { VelocityClient } from '../velocity-api/velocity.client';

export class EntityQuery {
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'tenantId must be 1-128 characters of letters, digits and ._:@/+=-' })
  tenantId?: string;
}

export interface EntityPage {
  tenantId: string;
  entityType: string;
  entityId: string;
  /** Velocity's state of it (counters, facts, links, list entry); absent for a type velocity keeps no state of (listing, product). */
  state?: EntityView;
  /** Its alerts (as subject, or named in a signal's evidence), first seen newest first, at most 50. */
  alerts: AlertView[];
  /** More alerts exist: the search with entityType and entityId pages through them. */
  moreAlerts: boolean;
}

const ALERTS = 50;

/**
 * The entity page: everything about one entity of a tenant in one call. Its alerts come from the
 * alert search (their signals carry the triggering events and evidence); its counters, facts,
 * links and list entry from velocity's read API (velocity owns them).
 */
@ApiTags('entities')
@AnalystRoutesForwardedToVelocity()
@ApiResponse({ status: 400, description: 'invalid entity type, id or tenant', schema: schemaRef('HttpError') })
@ApiResponse({ status: 401, description: 'no or unknown analyst token', schema: schemaRef('HttpError') })
@ApiResponse({ status: 403, description: 'the caller does not see the tenant', schema: schemaRef('HttpError') })
@Controller('v1/entities')
@UseGuards(AnalystAuthGuard)
export class EntitiesController {
  constructor(
    private readonly store: AlertStore,
    private readonly velocity: VelocityClient,
  ) {}

  @Get(':entityType/:entityId')
  @ApiParam({ name: 'entityType', schema: { type: 'string', enum: [...new Set([...SUBJECT_TYPES, 'email_domain'])] } })
  @ApiParam({ name: 'entityId', schema: { type: 'string', pattern: ID_PATTERN.source } })
  @ApiQueryFrom(EntityQuery)
  @ApiOkResponse({ schema: schemaRef('EntityPage') })
  async get(@Param('entityType') entityType: string, @Param('entityId') entityId: string, @Query() query: EntityQuery, @CurrentAnalyst() user: AnalystUser): Promise<EntityPage> {
    const known = (SUBJECT_TYPES as readonly string[]).includes(entityType) || isEntityType(entityType);
    if (!known) throw new BadRequestException(`unknown entity type ${entityType}`);
    if (!ID_PATTERN.test(entityId)) throw new BadRequestException(`entityId must match ${ID_PATTERN.source}`);
    const tenantId = tenantOf(query, user);
    const [page, state] = await Promise.all([
      (SUBJECT_TYPES as readonly string[]).includes(entityType) ? this.store.search({ entityType: entityType as SubjectType, entityId }, [tenantId], ALERTS) : Promise.resolve({ alerts: [], next: undefined }),
      isEntityType(entityType) ? this.velocity.json<EntityView>(tenantId, 'GET', `/v1/entities/${entityType}/${encodeURIComponent(entityId)}`) : Promise.resolve(undefined),
    ]);
    return { tenantId, entityType, entityId, ...(state ? { state } : {}), alerts: page.alerts, moreAlerts: !!page.next };
  }
}
