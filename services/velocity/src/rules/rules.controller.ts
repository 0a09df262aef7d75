import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedTenant, TenantKeyGuard } from '@vigil/auth';
import { TenantAdminRouteDocs } from '../auth/tenant-admin-routes.decorator';
import { ApplyRuleChangeRequest, applyRuleChange, changeProblems, RuleChange, RuleChangeRequest, RuleDefinition, thresholdsOf } from '@vigil/rules';
import { schemaRef } from '@vigil/service-runtime';
import { RulePreview, RuleView } from '@vigil/velocity-scoring';
import { Actor, ActorHeader } from '../lists/actor';
import { VelocityConsumer } from '../scoring/velocity.consumer';
import { RuleChangesService } from './rule-changes.service';
import { RulePreviewService } from './rule-preview.service';

/**
 * GET  /v1/rules                  the tenant's rules as velocity evaluates them, and the change history
 * POST /v1/rules/:id/preview      {mode?, thresholds?}: the change backtested on the last day of stored events
 * POST /v1/rules/:id/changes      {mode?, thresholds?, reason, expectedVersion}: apply it (fraud.rules)
 * The tenant is the admin key's; a change applies to that tenant's events only.
 */
@ApiTags('rules')
@TenantAdminRouteDocs()
@ApiResponse({ status: 400, description: 'invalid body, or a threshold of a metric the rule does not compare', schema: schemaRef('HttpError') })
@Controller('v1/rules')
@UseGuards(TenantKeyGuard)
export class RulesController {
  constructor(
    @Inject(VelocityConsumer) private readonly velocity: VelocityConsumer,
    private readonly changes: RuleChangesService,
    private readonly previews: RulePreviewService,
  ) {}

  @Get()
  @ApiOkResponse({ schema: schemaRef('RuleList') })
  async list(@AuthenticatedTenant() tenantId: string): Promise<{ rules: RuleView[]; changes: RuleChange[] }> {
    const file = this.velocity.rules.rules;
    const rules = this.changes.rulesFor(tenantId, file).map((rule, i): RuleView => {
      const change = rule.version !== file[i].version ? this.changes.change(tenantId, rule.id) : undefined;
      return {
        id: rule.id, version: rule.version, fileVersion: file[i].version, mode: rule.mode, severity: rule.severity, subject: rule.subject, window: rule.window,
        events: rule.events, ...(rule.description ? { description: rule.description } : {}), reason: rule.reason, thresholds: thresholdsOf(rule), ...(change ? { change } : {}),
      };
    });
    return { rules, changes: await this.changes.history(tenantId) };
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the rule as it is and as changed, run over the tenant’s events of the last 24 h (same evaluation code as the service)', schema: schemaRef('RulePreview') })
  @ApiNotFoundResponse({ description: 'no such rule', schema: schemaRef('HttpError') })
  @ApiConflictResponse({ description: 'a preview is already running on this instance', schema: schemaRef('HttpError') })
  async preview(@AuthenticatedTenant() tenantId: string, @Param('id') id: string, @Body() body: RuleChangeRequest): Promise<RulePreview> {
    const { current, proposed } = this.proposal(tenantId, id, body);
    return this.previews.preview(tenantId, current, proposed);
  }

  @Post(':id/changes')
  @HttpCode(201)
  @ActorHeader()
  @ApiOkResponse({ description: 'the change as published on fraud.rules (in force on this instance now, on the others as they read it)', schema: schemaRef('RuleChange') })
  @ApiNotFoundResponse({ description: 'no such rule', schema: schemaRef('HttpError') })
  @ApiConflictResponse({ description: 'the rule is no longer at expectedVersion (someone changed it since the preview)', schema: schemaRef('HttpError') })
  async apply(@AuthenticatedTenant() tenantId: string, @Param('id') id: string, @Body() body: ApplyRuleChangeRequest, @Actor() actor: string): Promise<RuleChange> {
    const { file, current } = this.proposal(tenantId, id, body);
    if (current.version !== body.expectedVersion) throw new ConflictException(`rule ${id} is at version ${current.version}, not ${body.expectedVersion}: preview it again`);
    const previous = this.changes.change(tenantId, id);
    const revision = previous && previous.baseVersion === file.version ? previous.revision + 1 : 1;
    const thresholds = new Map([...(previous?.baseVersion === file.version ? (previous.thresholds ?? []) : []), ...(body.thresholds ?? [])].map((t) => [t.metric, t.value]));
    const change: RuleChange = {
      tenantId, ruleId: id, baseVersion: file.version, revision,
      mode: body.mode ?? current.mode,
      ...(thresholds.size ? { thresholds: [...thresholds].map(([metric, value]) => ({ metric, value })) } : {}),
      actor, reason: body.reason, at: new Date().toISOString(),
    };
    await this.changes.publish(change);
    return change;
  }

  /** The file's rule, the tenant's current one, and the requested change applied to the current one. */
  private proposal(tenantId: string, id: string, request: RuleChangeRequest): { file: RuleDefinition; current: RuleDefinition; proposed: RuleDefinition } {
    if (!this.velocity.rules.rules.length) throw new ServiceUnavailableException('no rules loaded');
    const file = this.velocity.rules.rules.find((r) => r.id === id);
    if (!file) throw new NotFoundException(`no rule ${id}`);
    const current = this.changes.rulesFor(tenantId, [file])[0];
    const problems = changeProblems(current, request);
    if (problems.length) throw new BadRequestException(problems);
    const proposed = applyRuleChange(current, { mode: request.mode, thresholds: request.thresholds, baseVersion: file.version, revision: current.version === file.version ? 1 : (current.version % 1000) + 1 });
    return { file, current, proposed };
  }
}
