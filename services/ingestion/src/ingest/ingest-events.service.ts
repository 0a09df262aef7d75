import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { parseDuration } from '@vigil/counters';
import {
  EventFamily,
  eventRecordHeaders,
  eventTimeMs,
  FieldError,
  TopicNames,
  validateEvent,
  VigilEvent,
} from '@vigil/contracts';
import {
  MESSAGE_PUBLISHER,
  MessagePublisher,
  isPartitionLookup,
  PublishBatchStamper,
  TransientError,
} from '@vigil/kafka';
import { counter, histogram, LATENCY_BUCKETS } from '@vigil/observability';
import { SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { IngestionConfig } from '../config';
import { Clock, futureDatedError, FutureSkewLimit, INGESTION_CLOCK } from './future-skew';
import { IdempotencyStore } from './idempotency.store';

const eventsTotal = counter({
  name: 'vigil_ingestion_events_total',
  help: 'Events received, by transport, type, outcome (accepted, duplicate, rejected) and reason (failing constraint)',
  labelNames: ['transport', 'type', 'outcome', 'reason'],
});
const futureDatedTotal = counter({
  name: 'vigil_ingestion_future_dated_rejected_total',
  help: 'Events refused because their occurredAt is later than the ingestion clock plus INGESTION_MAX_FUTURE_SKEW, by transport',
  labelNames: ['transport'],
});
const publishDuration = histogram({
  name: 'vigil_ingestion_publish_duration_seconds',
  help: 'Time from validated events to Kafka acknowledging them and their ids being marked',
  labelNames: ['transport'],
  buckets: LATENCY_BUCKETS,
});

export type Transport = 'http' | 'kafka';

export interface ValidEvent {
  event: VigilEvent;
  family: EventFamily;
  key: string;
}

export type EventOutcome =
  | { index: number; id: string; status: 'accepted' | 'duplicate' }
  | { index: number; id?: string; status: 'rejected'; errors: FieldError[] };

/** Kafka or Redis did not answer: nothing of the request may be considered stored; retry later. */
export class IngestionUnavailableError extends TransientError {
  constructor(cause: unknown) {
    super(`events could not be stored: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'IngestionUnavailableError';
  }
}

/** Event ids are unique per tenant, so the dedupe identity is both. */
const identity = (e: Pick<VigilEvent, 'tenantId' | 'id'>) => `${e.tenantId}\u0000${e.id}`;

/** Most identities tracked as in flight at once; beyond it new publishes are refused (503) rather than growing. */
const MAX_IN_FLIGHT = 100_000;

/**
 * The ingestion use case, shared by HTTP and the Kafka intake consumer: validate with the
 * contracts' validateEvent plus the future-date check (occurredAt at most
 * INGESTION_MAX_FUTURE_SKEW after the ingestion clock), drop ids already published (per
 * tenant), publish the rest to their family topics keyed by the catalogue's key, and remember
 * them only after Kafka acknowledged them.
 *
 * Two concurrent requests with the same event id: on one instance the second waits for the
 * first's publish (in-flight map) and is then acknowledged as a duplicate, so it is published
 * once. Across instances both may publish (check-then-mark is not atomic with Kafka's ack);
 * that rare duplicate is accepted because every consumer dedupes by event id anyway, and a
 * Redis claim before publishing would have to either block the second request or acknowledge
 * an event Kafka has not stored yet.
 */
@Injectable()
export class IngestEventsService {
  private readonly logger = new Logger(IngestEventsService.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly futureSkew: FutureSkewLimit;
  private readonly batchStamper: PublishBatchStamper;

  constructor(
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    @Inject(TOPICS) private readonly topics: TopicNames,
    private readonly idempotency: IdempotencyStore,
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
    @Optional() @Inject(INGESTION_CLOCK) private readonly clock: Clock = Date.now,
  ) {
    // Watermark records on every family topic's quiet partitions: consumers pass them at once
    // instead of waiting for them to go idle (docs/event-time.md).
    this.batchStamper = new PublishBatchStamper(
      Object.values(topics.events),
      isPartitionLookup(publisher) ? publisher : undefined,
    );
    const label = config.INGESTION_MAX_FUTURE_SKEW.trim();
    this.futureSkew = { maxSkewMs: parseDuration(label), label };
  }

  /**
   * Validates raw events; each comes back valid or with every failing field. Besides
   * validateEvent's checks, an occurredAt later than the ingestion clock plus
   * INGESTION_MAX_FUTURE_SKEW is an error (field occurredAt, constraint maxFutureSkew).
   */
  validate(
    raws: unknown[],
    transport: Transport,
  ): ({ ok: true; valid: ValidEvent } | { ok: false; errors: FieldError[] })[] {
    const nowMs = this.clock();
    return raws.map((raw) => {
      const result = validateEvent(raw);
      const errors = result.ok ? [] : [...result.errors];
      // Checked whenever occurredAt itself is a valid timestamp, so a request lists every failing field.
      const occurredAt = result.ok
        ? result.event.occurredAt
        : (raw as { occurredAt?: unknown } | null)?.occurredAt;
      if (typeof occurredAt === 'string' && !errors.some((e) => e.field === 'occurredAt')) {
        const future = futureDatedError(occurredAt, nowMs, this.futureSkew);
        if (future) {
          errors.push(future);
          futureDatedTotal.inc({ transport });
        }
      }
      if (result.ok && errors.length === 0)
        return { ok: true, valid: { event: result.event, family: result.family, key: result.key } };
      const type =
        typeof (raw as { type?: unknown })?.type === 'string'
          ? String((raw as { type: string }).type)
          : 'unknown';
      // Label only known types: a fuzzer must not be able to create unbounded label values.
      const typeLabel = errors.some((e) => e.field === 'type') ? 'unknown' : type;
      for (const reason of new Set(errors.map((e) => e.constraint))) {
        eventsTotal.inc({ transport, type: typeLabel, outcome: 'rejected', reason });
      }
      return { ok: false, errors };
    });
  }

  /**
   * Publishes valid events exactly once per (tenant, id) within the dedupe window. Resolves
   * with, per event, 'accepted' or 'duplicate' once Kafka acknowledged; rejects with
   * IngestionUnavailableError (transient) when Kafka or Redis is unreachable.
   */
  async publish(events: ValidEvent[], transport: Transport): Promise<('accepted' | 'duplicate')[]> {
    const started = performance.now();
    const statuses: ('accepted' | 'duplicate')[] = new Array(events.length).fill('duplicate');
    if (this.inFlight.size + events.length > MAX_IN_FLIGHT) {
      throw new IngestionUnavailableError(new Error(`more than ${MAX_IN_FLIGHT} events in flight`));
    }
    // Claim the ids synchronously, before any await, so a concurrent request with the same id
    // finds the claim and waits for this publish instead of publishing again.
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const mine = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    mine.catch(() => undefined); // waiters observe the failure through their own await
    const owned = new Map<string, number>();
    const others: Promise<void>[] = [];
    events.forEach((e, i) => {
      const id = identity(e.event);
      const running = this.inFlight.get(id);
      if (running && !owned.has(id)) others.push(running);
      else if (!owned.has(id)) {
        owned.set(id, i);
        this.inFlight.set(id, mine);
      }
    });
    try {
      const candidates = [...owned.values()];
      const seen = await this.idempotency.seen(candidates.map((i) => events[i].event));
      const fresh = candidates.filter((_, n) => !seen[n]);
      await this.publishAndMark(fresh.map((i) => events[i]));
      for (const i of fresh) statuses[i] = 'accepted';
      settle.resolve();
      await Promise.all(others);
    } catch (error) {
      settle.reject(error);
      this.logger.warn(`${events.length} event(s) not stored (${transport}): ${(error as Error).message}`);
      throw error instanceof IngestionUnavailableError ? error : new IngestionUnavailableError(error);
    } finally {
      for (const id of owned.keys()) this.inFlight.delete(id);
    }
    publishDuration.observe({ transport }, (performance.now() - started) / 1000);
    events.forEach((e, i) =>
      eventsTotal.inc({ transport, type: e.event.type, outcome: statuses[i], reason: '' }),
    );
    return statuses;
  }

  private async publishAndMark(events: ValidEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      // One publish batch: consumers wait for all of it before ordering across its partitions.
      await this.publisher.publish(
        this.batchStamper.stamp(
          events.map(({ event, family, key }) => ({
            topic: this.topics.events[family],
            key,
            value: JSON.stringify(event),
            headers: eventRecordHeaders(event),
            tenantId: event.tenantId,
            timeMs: eventTimeMs(event),
          })),
        ),
      );
      await this.idempotency.markPublished(events.map((e) => e.event));
    } catch (error) {
      throw new IngestionUnavailableError(error);
    }
  }
}
