import { BadRequestException, Body, ConflictException, Controller, ForbiddenException, Get, HttpCode, Inject, MessageEvent, NotFoundException, Param, Post, Query, Res, Sse, UseGuards } from '@nestjs/common';
import { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Observable, filter, interval, map, merge } from 'rxjs';
import { AlertDecision, CsvCell, Decision, toCsv, TopicNames, validateMessage } from '@vigil/contracts';
import { MESSAGE_PUBLISHER, MessagePublisher } from '@vigil/kafka';
import { ApiQueryFrom, schemaRef, TOPICS } from '@vigil/service-runtime';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';
import { ANALYST_DIRECTORY, AnalystAuthGuard, CurrentAnalyst, RequireRole } from '../users/analyst-auth.guard';
import { AnalystDirectory, AnalystUser, hasRole, seesTenant } from '../users/analyst-users';
import { AlertView } from './alert-document';
import { AlertFeed } from './alert-feed';
import { AlertStore, SnoozeChange, SnoozeRecord, SnoozesFull } from './alert-store';
import { AssignRequest, BulkDecisionRequest, CommentRequest, DecisionRequest, ExportQuery, ListAlertsQuery, NextRequest, SearchAlertsQuery, SearchPageQuery, SnoozeRequest, UnsnoozeRequest } from './alerts.dto';

import { decodeCursor, encodeCursor } from './search/cursor';
import { nextUnassigned, SearchFilter } from './search/search-filter';

/** The columns of an export (CSV and JSON alike): what reporting and labelling need, no evidence payloads. */
export const EXPORT_COLUMNS = ['alertId', 'tenantId', 'subjectType', 'subjectId', 'severity', 'score', 'status', 'rules', 'assignee', 'firstSeenAt', 'lastSeenAt', 'signals', 'summary'] as const;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], CsvCell>;

export function exportRow(a: AlertView): ExportRow {
  return {
    alertId: a.alertId, tenantId: a.subject.tenantId, subjectType: a.subject.type, subjectId: a.subject.id,
    severity: a.severity, score: a.score, status: a.status, rules: Object.keys(a.contributions).join(' '),
    assignee: a.assignee ?? '', firstSeenAt: a.firstSeenAt, lastSeenAt: a.lastSeenAt, signals: a.signals.length, summary: a.summary,
  };
}

/** Index entries one export reads at most (a selective filter over a big tenant stops there, marked truncated). */
const EXPORT_MAX_SCANNED = 50_000;

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
    @Inject(ANALYST_DIRECTORY) private readonly directory: AnalystDirectory,
    @Inject(SERVICE_CONFIG) private readonly config: AlertingConfig,
  ) {}

  /** Search beyond the newest list: by entity, subject, rule, severity, status, assignee, first-seen time; cursor pages. */
  @Get('alerts/search')
  @ApiQueryFrom(SearchPageQuery)
  @ApiOkResponse({ description: 'first seen newest first, of the tenants the caller sees; `next` continues (absent: the end)', schema: schemaRef('AlertSearchPage') })
  async search(@Query() query: SearchPageQuery, @CurrentAnalyst() user: AnalystUser): Promise<{ alerts: AlertView[]; next?: string }> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) throw new BadRequestException([{ field: 'cursor', constraint: 'cursor', reason: 'not a cursor of this service: pass the `next` of a previous page' }]);
    const page = await this.store.search(this.filterOf(query), this.tenantsOf(query, user), query.limit ?? 50, cursor);
    return { alerts: page.alerts, ...(page.next ? { next: encodeCursor(page.next) } : {}) };
  }

  /** The whole current search as CSV (header row, formula-guarded cells) or JSON, at most ALERTING_EXPORT_MAX_ROWS rows. */
  @Get('alerts/export')
  @ApiQueryFrom(ExportQuery)
  @ApiProduces('text/csv', 'application/json')
  @ApiOkResponse({ description: 'CSV with a header row (format=csv, the default) or JSON (format=json); header x-vigil-export-truncated: true when cut at ALERTING_EXPORT_MAX_ROWS', schema: schemaRef('AlertExport') })
  async export(@Query() query: ExportQuery, @CurrentAnalyst() user: AnalystUser, @Res({ passthrough: true }) res: Response): Promise<string | { rows: ExportRow[]; truncated: boolean }> {
    const filter = this.filterOf(query);
    const tenants = this.tenantsOf(query, user);
    const max = this.config.ALERTING_EXPORT_MAX_ROWS;
    const rows: ExportRow[] = [];
    let cursor;
    let scanned = 0;
    let truncated = false;
    do {
      const page = await this.store.search(filter, tenants, Math.min(200, max - rows.length), cursor);
      rows.push(...page.alerts.map(exportRow));
      scanned += page.scanned;
      cursor = page.next;
      truncated = !!cursor && (rows.length >= max || scanned >= EXPORT_MAX_SCANNED);
    } while (cursor && !truncated);
    const format = query.format ?? 'csv';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('content-disposition', `attachment; filename="vigil-alerts-${stamp}.${format}"`);
    res.setHeader('x-vigil-export-truncated', String(truncated));
    if (format === 'json') return { rows, truncated };
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    return toCsv(EXPORT_COLUMNS, rows);
  }

  /** Takes the most urgent unassigned, undecided alert of the caller's queue (severity, score, age) and assigns it to the caller. */
  @Post('alerts/next')
  @HttpCode(202)
  @RequireRole('analyst')
  @ApiAcceptedResponse({ description: 'the alert taken and the `assigned` event published to fraud.decisions', schema: schemaRef('NextAssignment') })
  @ApiNotFoundResponse({ description: 'no unassigned open alert in the caller’s queue', schema: schemaRef('HttpError') })
  async next(@Body() body: NextRequest, @CurrentAnalyst() user: AnalystUser): Promise<{ alert: AlertView; decision: AlertDecision }> {
    const tenants = this.tenantsOf(body, user);
    // the open queue: newest first-seen alerts (one bounded page per status), ordered by urgency
    const pages = await Promise.all(['open', 'acknowledged'].map((status) => this.store.search({ status, assignee: '' }, tenants, 200)));
    for (const alert of nextUnassigned(pages.flatMap((p) => p.alerts))) {
      if (!(await this.store.claim(alert, user.name))) continue; // a colleague's "next" took it a moment ago
      const decision = await this.publish(alert.alertId, 'assigned', user, { assignee: user.name, previousAssignee: '' });
      return { alert: { ...alert, assignee: user.name, assignedAt: decision.decidedAt }, decision };
    }
    throw new NotFoundException('no unassigned open alert in your queue');
  }

  /** Bulk verdict on a selection: one AlertDecision per alert, all published together. */
  @Post('alerts/decisions')
  @HttpCode(202)
  @RequireRole('analyst')
  @ApiAcceptedResponse({ description: 'one AlertDecision per selected alert, published to fraud.decisions', schema: schemaRef('DecisionList') })
  @ApiNotFoundResponse({ description: 'some selected alerts are not among the tenants the caller sees (none is published)', schema: schemaRef('HttpError') })
  async decideMany(@Body() body: BulkDecisionRequest, @CurrentAnalyst() user: AnalystUser): Promise<{ decisions: AlertDecision[] }> {
    const alerts = await this.store.load(body.alertIds);
    const missing = body.alertIds.filter((_, i) => !alerts[i] || !seesTenant(user, alerts[i]!.subject.tenantId));
    if (missing.length > 0) throw new NotFoundException(`no alert ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`);
    const decisions = body.alertIds.map((id) => this.decisionOf(id, body.decision, user, body.comment ? { comment: body.comment } : {}));
    await this.publisher.publish(decisions.map((d) => ({ topic: this.topics.decisions, key: d.alertId, value: JSON.stringify(d) })));
    return { decisions };
  }

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
    return this.publish(id, body.decision, user, body.comment ? { comment: body.comment } : {});
  }

  /** An event on fraud.decisions by the authenticated analyst (the request never names the actor). */
  private decisionOf(alertId: string, decision: Decision, user: AnalystUser, extra: Pick<AlertDecision, 'comment' | 'assignee' | 'previousAssignee'>): AlertDecision {
    const event: AlertDecision = { decisionId: `dec-${randomUUID()}`, alertId, decision, analyst: user.name, ...extra, decidedAt: new Date().toISOString() };
    const check = validateMessage(AlertDecision, event);
    if (!check.ok) throw new BadRequestException(check.errors);
    return event;
  }

  private async publish(alertId: string, decision: Decision, user: AnalystUser, extra: Pick<AlertDecision, 'comment' | 'assignee' | 'previousAssignee'>): Promise<AlertDecision> {
    const event = this.decisionOf(alertId, decision, user, extra);
    await this.publisher.publish([{ topic: this.topics.decisions, key: alertId, value: JSON.stringify(event) }]);
    return event;
  }

  /** The tenants a search covers: the one asked for (if the caller sees it), else all the caller's. */
  private tenantsOf(query: { tenantId?: string }, user: AnalystUser): string[] | '*' {
    if (query.tenantId && !seesTenant(user, query.tenantId)) throw new ForbiddenException(`${user.name} does not see tenant ${query.tenantId}`);
    return query.tenantId ? [query.tenantId] : user.tenants;
  }

  private filterOf(q: SearchAlertsQuery): SearchFilter {
    const fromMs = q.from ? Date.parse(q.from) : undefined;
    const toMs = q.to ? Date.parse(q.to) : undefined;
    if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new BadRequestException([{ field: 'from', constraint: 'range', reason: 'must not be after `to`' }]);
    return {
      ...(q.entityType ? { entityType: q.entityType } : {}),
      ...(q.entityId ? { entityId: q.entityId } : {}),
      ...(q.subjectId ? { subjectId: q.subjectId } : {}),
      ...(q.subjectType ? { subjectType: q.subjectType } : {}),
      ...(q.ruleId ? { ruleId: q.ruleId } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.assignee !== undefined ? { assignee: q.assignee } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
    };
  }

  /** Assigns the alert to the caller or a colleague: the lock others see. Taking an alert a colleague holds needs them to unassign first. */
  @Post('alerts/:id/assignment')
  @HttpCode(202)
  @RequireRole('analyst')
  @ApiAcceptedResponse({ description: 'the `assigned` event published to fraud.decisions; applied only if the holder is still the one seen', schema: schemaRef(AlertDecision) })
  @ApiNotFoundResponse({ description: 'no such alert among the tenants the caller sees', schema: schemaRef('HttpError') })
  @ApiConflictResponse({ description: 'a colleague holds the alert', schema: schemaRef('HttpError') })
  async assign(@Param('id') id: string, @Body() body: AssignRequest, @CurrentAnalyst() user: AnalystUser): Promise<AlertDecision> {
    const alert = await this.get(id, user);
    const assignee = body.assignee ?? user.name;
    if (assignee !== user.name) {
      const colleague = this.directory.byName(assignee);
      if (!colleague || !hasRole(colleague, 'analyst') || !seesTenant(colleague, alert.subject.tenantId)) {
        throw new BadRequestException([{ field: 'assignee', constraint: 'analyst', reason: `${assignee} is not an analyst of tenant ${alert.subject.tenantId}` }]);
      }
    }
    const holder = alert.assignee ?? '';
    if (holder && holder !== user.name && holder !== assignee) throw new ConflictException(`alert ${id} is assigned to ${holder}: they (or an admin) unassign it first`);
    return this.publish(id, 'assigned', user, { assignee, previousAssignee: holder });
  }

  /** Releases the alert: its holder, or an admin. */
  @Post('alerts/:id/assignment/delete')
  @HttpCode(202)
  @RequireRole('analyst')
  @ApiAcceptedResponse({ description: 'the `unassigned` event published to fraud.decisions', schema: schemaRef(AlertDecision) })
  @ApiNotFoundResponse({ description: 'no such alert among the tenants the caller sees', schema: schemaRef('HttpError') })
  @ApiConflictResponse({ description: 'the alert is not assigned', schema: schemaRef('HttpError') })
  async unassign(@Param('id') id: string, @CurrentAnalyst() user: AnalystUser): Promise<AlertDecision> {
    const alert = await this.get(id, user);
    if (!alert.assignee) throw new ConflictException(`alert ${id} is not assigned`);
    if (alert.assignee !== user.name && !hasRole(user, 'admin')) throw new ForbiddenException(`alert ${id} is held by ${alert.assignee}: only they or an admin release it`);
    return this.publish(id, 'unassigned', user, { previousAssignee: alert.assignee });
  }

  @Post('alerts/:id/comments')
  @HttpCode(202)
  @RequireRole('analyst')
  @ApiAcceptedResponse({ description: 'the `commented` event published to fraud.decisions', schema: schemaRef(AlertDecision) })
  @ApiNotFoundResponse({ description: 'no such alert among the tenants the caller sees', schema: schemaRef('HttpError') })
  async comment(@Param('id') id: string, @Body() body: CommentRequest, @CurrentAnalyst() user: AnalystUser): Promise<AlertDecision> {
    await this.get(id, user);
    return this.publish(id, 'commented', user, { comment: body.comment });
  }

  /** Decision counts per rule over the caller's tenants; the per-minute rates are the instance's whole traffic for all-tenant users only. */
  @Get('stats')
  @ApiOkResponse({ schema: schemaRef('AlertStats') })
  async stats(@CurrentAnalyst() user: AnalystUser) {
    return { rates: user.tenants === '*' ? this.feed.rates() : [], rules: await this.store.ruleStats(user.tenants) };
  }

  /** Snoozes in force the caller's tenants are affected by (rule-wide ones and their subjects'), soonest end first, and the newest changes. */
  @Get('snoozes')
  @ApiOkResponse({ schema: schemaRef('SnoozeList') })
  snoozes(@CurrentAnalyst() user: AnalystUser): Promise<{ snoozes: SnoozeRecord[]; changes: SnoozeChange[] }> {
    return this.store.snoozes(user.tenants);
  }

  @Post('snoozes')
  @RequireRole('admin')
  @ApiCreatedResponse({ description: 'the rule is muted (for the subject, or every subject) until `until`', schema: schemaRef('Snooze') })
  @ApiConflictResponse({ description: 'ALERTING_SNOOZE_MAX snoozes are in force', schema: schemaRef('HttpError') })
  async snooze(@Body() body: SnoozeRequest, @CurrentAnalyst() user: AnalystUser): Promise<{ ruleId: string; until: string; scope: string }> {
    this.mayMute(user, body);
    const untilMs = Date.parse(body.until);
    if (untilMs <= Date.now()) throw new BadRequestException([{ field: 'until', constraint: 'future', reason: 'must be in the future' }]);
    const until = new Date(untilMs).toISOString();
    try {
      await this.store.snooze({ ruleId: body.ruleId, ...(body.subject ? { subject: body.subject } : {}), until, reason: body.reason, actor: user.name, createdAt: new Date().toISOString() });
    } catch (error) {
      if (error instanceof SnoozesFull) throw new ConflictException(error.message);
      throw error;
    }
    return { ruleId: body.ruleId, until, scope: body.subject ? `${body.subject.type}:${body.subject.id}` : 'all subjects' };
  }

  @Post('snoozes/delete')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ schema: schemaRef('SnoozeRemoved') })
  async unsnooze(@Body() body: UnsnoozeRequest, @CurrentAnalyst() user: AnalystUser): Promise<{ removed: boolean }> {
    this.mayMute(user, body);
    return { removed: await this.store.unsnooze(body.ruleId, body.subject, user.name, body.reason ?? '') };
  }

  /** A rule muted everywhere affects every tenant: only an admin of all tenants may; a subject's, an admin of its tenant. */
  private mayMute(user: AnalystUser, body: Pick<SnoozeRequest, 'subject'>): void {
    if (body.subject ? !seesTenant(user, body.subject.tenantId) : user.tenants !== '*') {
      throw new ForbiddenException(body.subject ? `${user.name} does not see tenant ${body.subject.tenantId}` : `muting a rule for all tenants needs an admin of all tenants`);
    }
  }
}
