import { Controller, HttpCode, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { ApiBody, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { EVENT_EXAMPLES } from './openapi';
import { schemaRef, SERVICE_CONFIG } from '@vigil/service-runtime';
import { ApiKeyThrottlerGuard } from '../auth/api-key-throttler.guard';
import { ApiKeyGuard, AuthenticatedRequest } from '../auth/api-key.guard';
import { IngestionConfig } from '../config';
import { EventOutcome, IngestEventsService, ValidEvent } from '../ingest/ingest-events.service';
import { ApiError, ApiFieldError } from './api-error';
import { IngestionExceptionFilter } from './ingestion-exception.filter';

export interface SingleEventResponse {
  id: string;
  status: 'accepted' | 'duplicate';
}

export interface BatchResponse {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: EventOutcome[];
}

@ApiTags('events')
@ApiSecurity('apiKey')
@ApiSecurity('signature')
@ApiResponse({ status: 400, description: 'invalid_event, malformed_json, invalid_body', schema: schemaRef('ApiError') })
@ApiResponse({ status: 401, description: 'unauthorized, invalid_signature', schema: schemaRef('ApiError') })
@ApiResponse({ status: 403, description: 'tenant_mismatch', schema: schemaRef('ApiError') })
@ApiResponse({ status: 413, description: 'payload_too_large, batch_too_large', schema: schemaRef('ApiError') })
@ApiResponse({ status: 429, description: 'rate_limited (Retry-After)', schema: schemaRef('ApiError') })
@ApiResponse({ status: 503, description: 'unavailable: Kafka or Redis unreachable, resend the same ids after Retry-After', schema: schemaRef('ApiError') })
@Controller('v1/events')
@UseGuards(ApiKeyGuard, ApiKeyThrottlerGuard)
@UseFilters(IngestionExceptionFilter)
export class EventsController {
  constructor(
    private readonly ingest: IngestEventsService,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  /** One event. 202 once Kafka acknowledged it (or it was a duplicate); 400 with every failing field otherwise. */
  @Post()
  @HttpCode(202)
  @ApiBody({ schema: schemaRef('EventEnvelope'), examples: EVENT_EXAMPLES })
  @ApiResponse({ status: 202, description: 'stored (accepted) or seen before (duplicate)', schema: schemaRef('EventAccepted') })
  async one(@Req() req: AuthenticatedRequest): Promise<SingleEventResponse> {
    const raw: unknown = req.body;
    this.checkTenant([raw], req, false);
    const [result] = this.ingest.validate([raw], 'http');
    if (!result.ok) throw new ApiError(400, 'invalid_event', 'the event is invalid', result.errors);
    const [status] = await this.ingest.publish([result.valid], 'http');
    return { id: result.valid.event.id, status };
  }

  /**
   * Many events: `{ "events": [...] }`. Valid events are published even when others are
   * rejected; the answer lists each event's outcome by index. 400 only when none is valid.
   */
  @Post('batch')
  @HttpCode(202)
  @ApiBody({ schema: { type: 'object', required: ['events'], properties: { events: { type: 'array', items: schemaRef('EventEnvelope') } } } })
  @ApiResponse({ status: 202, description: 'per-event results by index: accepted, duplicate or rejected with errors', schema: schemaRef('BatchResult') })
  async batch(@Req() req: AuthenticatedRequest): Promise<BatchResponse> {
    const events = (req.body as { events?: unknown } | undefined)?.events;
    if (!Array.isArray(events) || events.length === 0) {
      throw new ApiError(400, 'invalid_body', 'body must be {"events": [ ...one or more events... ]}', [
        { field: 'events', constraint: 'isNonEmptyArray', reason: 'events must be a non-empty array' },
      ]);
    }
    if (events.length > this.config.INGESTION_MAX_BATCH_EVENTS) {
      throw new ApiError(413, 'batch_too_large', `a batch holds at most ${this.config.INGESTION_MAX_BATCH_EVENTS} events (got ${events.length})`);
    }
    this.checkTenant(events, req, true);
    const validated = this.ingest.validate(events, 'http');
    const valid: { index: number; valid: ValidEvent }[] = [];
    const results: EventOutcome[] = validated.map((r, index) => {
      if (r.ok) {
        valid.push({ index, valid: r.valid });
        return { index, id: r.valid.event.id, status: 'accepted' };
      }
      const id = (events[index] as { id?: unknown })?.id;
      return { index, ...(typeof id === 'string' ? { id } : {}), status: 'rejected', errors: r.errors };
    });
    if (valid.length === 0) {
      throw new ApiError(400, 'invalid_event', 'no event of the batch is valid', results.flatMap((r) => (r.status === 'rejected' ? r.errors.map((e) => ({ index: r.index, ...e })) : [])));
    }
    const statuses = await this.ingest.publish(valid.map((v) => v.valid), 'http');
    valid.forEach((v, n) => (results[v.index] = { index: v.index, id: v.valid.event.id, status: statuses[n] }));
    return {
      accepted: statuses.filter((s) => s === 'accepted').length,
      duplicates: statuses.filter((s) => s === 'duplicate').length,
      rejected: results.length - valid.length,
      results,
    };
  }

  /** An API key may only publish its own tenant's events: any other tenantId refuses the whole request (403). */
  private checkTenant(raws: unknown[], req: AuthenticatedRequest, indexed: boolean): void {
    const tenantId = req.apiKey!.tenantId;
    const errors: ApiFieldError[] = [];
    raws.forEach((raw, index) => {
      const given = (raw as { tenantId?: unknown } | null)?.tenantId;
      if (typeof given === 'string' && given !== tenantId) {
        errors.push({ ...(indexed ? { index } : {}), field: 'tenantId', constraint: 'matchesApiKeyTenant', reason: `tenantId ${given} does not belong to this API key (tenant ${tenantId})` });
      }
    });
    if (errors.length > 0) throw new ApiError(403, 'tenant_mismatch', 'events of another tenant: nothing was published', errors);
  }
}
