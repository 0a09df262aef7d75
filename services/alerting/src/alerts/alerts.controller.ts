import { BadRequestException, Body, Controller, Get, HttpCode, Inject, MessageEvent, NotFoundException, Param, Post, Query, Sse, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Observable, interval, map, merge } from 'rxjs';
import { AlertDecision, TopicNames, validateMessage } from '@vigil/contracts';
import { MESSAGE_PUBLISHER, MessagePublisher } from '@vigil/kafka';
import { TOPICS } from '@vigil/service-runtime';
import { DashboardTokenGuard } from '../dashboard/dashboard-token.guard';
import { AlertView } from './alert-document';
import { AlertFeed } from './alert-feed';
import { AlertStore } from './alert-store';
import { DecisionRequest, ListAlertsQuery, SnoozeRequest } from './alerts.dto';

/** The analysts' API: reads the Redis read model, writes decisions to Kafka. */
@Controller('v1')
@UseGuards(DashboardTokenGuard)
export class AlertsController {
  constructor(
    private readonly store: AlertStore,
    private readonly feed: AlertFeed,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
  ) {}

  @Get('alerts')
  async list(@Query() query: ListAlertsQuery): Promise<{ alerts: AlertView[] }> {
    return { alerts: await this.store.list(query) };
  }

  /** Live feed: alert revisions and decisions as they happen, plus a heartbeat comment every 15 s. */
  @Sse('alerts/stream')
  stream(): Observable<MessageEvent> {
    return merge(
      this.feed.items.pipe(map((item) => ({ type: item.kind, data: item.alert ?? {} }) as MessageEvent)),
      interval(15_000).pipe(map(() => ({ type: 'ping', data: {} }) as MessageEvent)),
    );
  }

  @Get('alerts/:id')
  async get(@Param('id') id: string): Promise<AlertView> {
    const alert = await this.store.get(id);
    if (!alert) throw new NotFoundException(`no alert ${id}`);
    return alert;
  }

  /** Publishes an AlertDecision; the read model changes when the decisions consumer applies it. */
  @Post('alerts/:id/decisions')
  @HttpCode(202)
  async decide(@Param('id') id: string, @Body() body: DecisionRequest): Promise<AlertDecision> {
    if (!(await this.store.get(id))) throw new NotFoundException(`no alert ${id}`);
    const decision: AlertDecision = {
      decisionId: `dec-${randomUUID()}`,
      alertId: id,
      decision: body.decision,
      analyst: body.analyst,
      ...(body.comment ? { comment: body.comment } : {}),
      decidedAt: new Date().toISOString(),
    };
    const check = validateMessage(AlertDecision, decision);
    if (!check.ok) throw new BadRequestException(check.errors);
    await this.publisher.publish([{ topic: this.topics.decisions, key: id, value: JSON.stringify(decision) }]);
    return decision;
  }

  @Get('stats')
  async stats() {
    return { rates: this.feed.rates(), rules: await this.store.ruleStats() };
  }

  @Post('snoozes')
  async snooze(@Body() body: SnoozeRequest): Promise<{ ruleId: string; until: string; scope: string }> {
    const untilMs = Date.parse(body.until);
    if (untilMs <= Date.now()) throw new BadRequestException([{ field: 'until', constraint: 'future', reason: 'must be in the future' }]);
    await this.store.snooze(body.ruleId, untilMs, body.subject);
    return { ruleId: body.ruleId, until: new Date(untilMs).toISOString(), scope: body.subject ? `${body.subject.type}:${body.subject.id}` : 'all subjects' };
  }

  @Post('snoozes/delete')
  @HttpCode(200)
  async unsnooze(@Body() body: SnoozeRequest): Promise<{ removed: boolean }> {
    return { removed: await this.store.unsnooze(body.ruleId, body.subject) };
  }
}
