import { BadRequestException, Body, Controller, ForbiddenException, Get, HttpCode, Inject, MessageEvent, NotFoundException, Param, Post, Query, Sse, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Observable, filter, interval, map, merge } from 'rxjs';
import { AlertDecision, TopicNames, validateMessage } from '@vigil/contracts';
import { MESSAGE_PUBLISHER, MessagePublisher } from '@vigil/kafka';
import { ApiQueryFrom, schemaRef, TOPICS } from '@vigil/service-runtime';
import { AnalystAuthGuard, CurrentAnalyst, RequireRole } from '../users/analyst-auth.guard';
import { AnalystUser, seesTenant } from '../users/analyst-users';
import { AlertView } from './alert-document';
import { AlertFeed } from './alert-feed';
import { AlertStore } from './alert-store';
import { DecisionRequest, ListAlertsQuery, SnoozeRequest } from './alerts.dto';

/**
 * The analysts' API: reads the Redis read model, writes decisions to Kafka. Every route knows
 * its caller (@CurrentAnalyst): a user sees and decides only alerts of their tenants, decisions
 * are recorded under their name, and roles gate the writes (analyst: decisions; admin: snoozes).
 */
@ApiTags('alerts')
@ApiSecurity('bearer')
@ApiSecurity('session')
@ApiResponse({ status: 400, description: 'invalid query or body: every failing field', schema: schemaRef('HttpError') })
@ApiResponse({ status: 401, description: 'no or unknown analyst token', schema: schemaRef('HttpError') })
@ApiResponse({ status: 403, description: 'the role or the tenants of the caller do not allow it', schema: schemaRef('HttpError') })
@Controller('v1')
@UseGuards(AnalystAuthGuard)
export class AlertsController {
  constructor(
    private readonly store: AlertStore,
    private readonly feed: AlertFeed,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
  ) {}

  @Get('alerts')
  @ApiQueryFrom(ListAlertsQuery)
  @ApiOkResponse({ description: 'newest first, of the tenants the caller sees', schema: schemaRef('AlertList') })
  async list(@Query() query: ListAlertsQuery, @CurrentAnalyst() user: AnalystUser): Promise<{ alerts: AlertView[] }> {
    if (query.tenantId && !seesTenant(user, query.tenantId)) throw new ForbiddenException(`${user.name} does not see tenant ${query.tenantId}`);
    return { alerts: await this.store.list(query, query.tenantId ? [query.tenantId] : user.tenants) };
  }

  /** Who is calling (the dashboard shows it and records decisions under it). */
  @Get('me')
  @ApiOkResponse({ schema: schemaRef('AnalystUser') })
  me(@CurrentAnalyst() user: AnalystUser): AnalystUser {
    return user;
  }

  /** Live feed: alert revisions and decisions as they happen, plus a heartbeat comment every 15 s. */
  @Sse('alerts/stream')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'server-sent events', schema: { type: 'string', description: 'events `alert` and `decision` (data: an AlertView as JSON) and `ping` every 15 s' } })
  stream(@CurrentAnalyst() user: AnalystUser): Observable<MessageEvent> {
    return merge(
      this.feed.items.pipe(
        filter((item) => !item.alert || seesTenant(user, item.alert.subject.tenantId)),
        map((item) => ({ type: item.kind, data: item.alert ?? {} }) as MessageEvent),
      ),
      interval(15_000).pipe(map(() => ({ type: 'ping', data: {} }) as MessageEvent)),
    );
  }

  @Get('alerts/:id')
  @ApiOkResponse({ schema: schemaRef('AlertView') })
  @ApiNotFoundResponse({ description: 'no such alert among the tenants the caller sees', schema: schemaRef('HttpError') })
  async get(@Param('id') id: string, @CurrentAnalyst() user: AnalystUser): Promise<AlertView> {
    const alert = await this.store.get(id);
    // another tenant's alert reads as absent: its existence is not the caller's business
    if (!alert || !seesTenant(user, alert.subject.tenantId)) throw new NotFoundException(`no alert ${id}`);
    return alert;
  }

  /** Publishes an AlertDecision; the read model changes when the decisions consumer applies it. */
  @Post('alerts/:id/decisions')
  @HttpCode(202)
  @RequireRole('analyst')
  @ApiAcceptedResponse({ description: 'published to fraud.decisions; the alert changes once the decision is applied', schema: schemaRef(AlertDecision) })
  @ApiNotFoundResponse({ description: 'no such alert among the tenants the caller sees', schema: schemaRef('HttpError') })
  async decide(@Param('id') id: string, @Body() body: DecisionRequest, @CurrentAnalyst() user: AnalystUser): Promise<AlertDecision> {
    await this.get(id, user);
    const decision: AlertDecision = {
      decisionId: `dec-${randomUUID()}`,
      alertId: id,
      decision: body.decision,
      analyst: user.name,
      ...(body.comment ? { comment: body.comment } : {}),
      decidedAt: new Date().toISOString(),
    };
    const check = validateMessage(AlertDecision, decision);
    if (!check.ok) throw new BadRequestException(check.errors);
    await this.publisher.publish([{ topic: this.topics.decisions, key: id, value: JSON.stringify(decision) }]);
    return decision;
  }

  /** Decision counts per rule over the caller's tenants; the per-minute rates are the instance's whole traffic for all-tenant users only. */
  @Get('stats')
  @ApiOkResponse({ schema: schemaRef('AlertStats') })
  async stats(@CurrentAnalyst() user: AnalystUser) {
    return { rates: user.tenants === '*' ? this.feed.rates() : [], rules: await this.store.ruleStats(user.tenants) };
  }

  @Post('snoozes')
  @RequireRole('admin')
  @ApiCreatedResponse({ description: 'the rule is muted (for the subject, or every subject) until `until`', schema: schemaRef('Snooze') })
  async snooze(@Body() body: SnoozeRequest, @CurrentAnalyst() user: AnalystUser): Promise<{ ruleId: string; until: string; scope: string }> {
    this.mayMute(user, body);
    const untilMs = Date.parse(body.until);
    if (untilMs <= Date.now()) throw new BadRequestException([{ field: 'until', constraint: 'future', reason: 'must be in the future' }]);
    await this.store.snooze(body.ruleId, untilMs, body.subject);
    return { ruleId: body.ruleId, until: new Date(untilMs).toISOString(), scope: body.subject ? `${body.subject.type}:${body.subject.id}` : 'all subjects' };
  }

  @Post('snoozes/delete')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ schema: schemaRef('SnoozeRemoved') })
  async unsnooze(@Body() body: SnoozeRequest, @CurrentAnalyst() user: AnalystUser): Promise<{ removed: boolean }> {
    this.mayMute(user, body);
    return { removed: await this.store.unsnooze(body.ruleId, body.subject) };
  }

  /** A rule muted everywhere affects every tenant: only an admin of all tenants may; a subject's, an admin of its tenant. */
  private mayMute(user: AnalystUser, body: SnoozeRequest): void {
    if (body.subject ? !seesTenant(user, body.subject.tenantId) : user.tenants !== '*') {
      throw new ForbiddenException(body.subject ? `${user.name} does not see tenant ${body.subject.tenantId}` : `muting a rule for all tenants needs an admin of all tenants`);
    }
  }
}
