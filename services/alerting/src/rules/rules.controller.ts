import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RuleChange } from '@vigil/rules';
import { ApiQueryFrom, schemaRef } from '@vigil/service-runtime';
import { RulePreview, RuleView } from '@vigil/velocity-scoring';
import { AlertStore } from '../alerts/alert-store';
import { AnalystAuthGuard, CurrentAnalyst, RequireRole } from '../users/analyst-auth.guard';
import { AnalystUser } from '../users/analyst-users';
import { tenantOf } from '../velocity-api/tenant';
import { AnalystRoutesForwardedToVelocity } from '../velocity-api/velocity-api.decorators';
import { PREVIEW_TIMEOUT_MS, VelocityClient } from '../velocity-api/velocity.client';
import { RuleApplyRequest, RulePreviewRequest, RulesQuery } from './rules.dto';

const DAY_MS = 86_400_000;

/** A rule as the rules page shows it: velocity's view plus what alerting knows of its outcomes. */
export interface RuleOutcomes {
  /** Alerts of the tenant the rule contributed to, first seen in the 24 h (event time) up to the tenant's newest alert. */
  alerts24h: number;
  /** Verdicts on the tenant's alerts with this rule. */
  confirmedFraud: number;
  falsePositive: number;
  /** falsePositive / (falsePositive + confirmedFraud); 0 without verdicts. */
  falsePositiveRate: number;
}

/**
 * The rules page: velocity's rules of a tenant (velocity owns rules and their changes), with their
 * firing and false-positive rates from alerting's read model. A change is previewed (its backtest
 * on the last day of stored events) and applied by an admin of the tenant, as the actor.
 */
@ApiTags('rules')
@AnalystRoutesForwardedToVelocity()
@ApiResponse({ status: 400, description: 'invalid query or body: every failing field', schema: schemaRef('HttpError') })
@ApiResponse({ status: 401, description: 'no or unknown analyst token', schema: schemaRef('HttpError') })
@ApiResponse({ status: 403, description: 'the role or the tenants of the caller do not allow it', schema: schemaRef('HttpError') })
@Controller('v1/rules')
@UseGuards(AnalystAuthGuard)
export class RulesController {
  constructor(
    private readonly velocity: VelocityClient,
    private readonly store: AlertStore,
  ) {}

  @Get()
  @ApiQueryFrom(RulesQuery)
  @ApiOkResponse({ schema: schemaRef('RulePage') })
  async list(@Query() query: RulesQuery, @CurrentAnalyst() user: AnalystUser): Promise<{ tenantId: string; alertsUntil?: string; rules: (RuleView & RuleOutcomes)[]; changes: RuleChange[] }> {
    const tenantId = tenantOf(query, user);
    const { rules, changes } = await this.velocity.json<{ rules: RuleView[]; changes: RuleChange[] }>(tenantId, 'GET', '/v1/rules');
    const [recent, verdicts] = await Promise.all([this.store.recentAlerts(tenantId, rules.map((r) => r.id), DAY_MS), this.store.ruleStats([tenantId])]);
    const fired = recent.counts;
    return {
      tenantId,
      ...(recent.until ? { alertsUntil: recent.until } : {}),
      rules: rules.map((rule) => {
        const v = verdicts[rule.id];
        return { ...rule, alerts24h: fired[rule.id] ?? 0, confirmedFraud: v?.confirmed_fraud ?? 0, falsePositive: v?.false_positive ?? 0, falsePositiveRate: v?.falsePositiveRate ?? 0 };
      }),
      changes,
    };
  }

  @Post('preview')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ description: 'the rule as it is and as changed over the tenant’s events of the last 24 h (velocity’s backtest)', schema: schemaRef('RulePreview') })
  @ApiNotFoundResponse({ description: 'no such rule', schema: schemaRef('HttpError') })
  @ApiConflictResponse({ description: 'a preview is already running on the velocity instance', schema: schemaRef('HttpError') })
  preview(@Body() body: RulePreviewRequest, @CurrentAnalyst() user: AnalystUser): Promise<RulePreview> {
    return this.velocity.json(tenantOf(body, user), 'POST', `/v1/rules/${body.ruleId}/preview`, user.name, { mode: body.mode, thresholds: body.thresholds }, PREVIEW_TIMEOUT_MS);
  }

  @Post('changes')
  @HttpCode(201)
  @RequireRole('admin')
  @ApiCreatedResponse({ description: 'the change published on fraud.rules, the caller as actor; velocity evaluates the tenant’s next events with it', schema: schemaRef('RuleChange') })
  @ApiNotFoundResponse({ description: 'no such rule', schema: schemaRef('HttpError') })
  @ApiConflictResponse({ description: 'the rule is no longer at expectedVersion', schema: schemaRef('HttpError') })
  apply(@Body() body: RuleApplyRequest, @CurrentAnalyst() user: AnalystUser): Promise<RuleChange> {
    const { mode, thresholds, reason, expectedVersion } = body;
    return this.velocity.json(tenantOf(body, user), 'POST', `/v1/rules/${body.ruleId}/changes`, user.name, { mode, thresholds, reason, expectedVersion });
  }
}
