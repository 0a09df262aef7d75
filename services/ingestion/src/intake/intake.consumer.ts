import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { eventTimeMs, TopicNames } from '@vigil/contracts';
import { BatchConsumerFactory, Decoded, EventTimeConsumerRunner, InboundMessage } from '@vigil/kafka';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { IngestionConfig } from '../config';
import { MAX_FUTURE_SKEW_CONSTRAINT } from '../ingest/future-skew';
import { IngestEventsService, ValidEvent } from '../ingest/ingest-events.service';

/**
 * Decodes one intake message: JSON, then the use case's validation (the contracts'
 * validateEvent and the future-date check). An event whose only fault is its future date is
 * dead-lettered with reason `future-dated event: <the error's reason>`, any other invalid event
 * with `invalid event`; both carry every field error in details.errors.
 */
export function decodeIntakeMessage(ingest: IngestEventsService, message: InboundMessage): Decoded<ValidEvent> {
  let raw: unknown;
  try {
    raw = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch (error) {
    return { ok: false, reason: `intake message is not JSON: ${(error as Error).message}` };
  }
  const [result] = ingest.validate([raw], 'kafka');
  if (!result.ok) {
    const [only] = result.errors;
    const futureOnly = result.errors.length === 1 && only.constraint === MAX_FUTURE_SKEW_CONSTRAINT;
    return { ok: false, reason: futureOnly ? `future-dated event: ${only.reason}` : 'invalid event', details: { errors: result.errors } };
  }
  return { ok: true, value: result.valid };
}

/**
 * The Kafka door: platforms may produce raw events to the intake topic instead of calling
 * HTTP. Valid events go through the same IngestEventsService (dedupe, family topic, key);
 * invalid ones are dead-lettered with their field errors by the runner.
 *
 * The intake partitions are merged in event-time order (EventTimeConsumerRunner, one active
 * member) before they are republished, as an HTTP replay arrives: otherwise the family
 * partitions fed by a slower intake partition would fall behind the others and the event-time
 * consumers downstream would see their events late (docs/event-time.md).
 */
@Injectable()
export class IntakeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IntakeConsumer.name);
  private stopped = false;
  private runner: EventTimeConsumerRunner<ValidEvent> | null = null;

  constructor(
    private readonly consumers: BatchConsumerFactory,
    private readonly ingest: IngestEventsService,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runner = this.consumers.createEventTime<ValidEvent>({
      // One group per environment (topic prefix): environments sharing a broker must not share members.
      groupId: consumerGroupId(this.config, 'ingestion-intake'),
      topics: [this.topics.intake],
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
      decode: (message) => decodeIntakeMessage(this.ingest, message),
      eventTime: ({ event }) => ({ timeMs: eventTimeMs(event), id: event.id, stream: event.tenantId }),
      // Nothing is judged here: a late intake event is republished like any other.
      allowedLatenessMs: Number.MAX_SAFE_INTEGER,
      idleMs: this.config.STREAM_IDLE_MS,
      holdMs: this.config.STREAM_HOLD_MS,
      // Transient failures (IngestionUnavailableError) make the runner retry the batch.
      handle: async (messages) => {
        await this.ingest.publish(messages.map((m) => m.value), 'kafka');
      },
    });
    // Started in the background and retried: the HTTP door must come up (and answer 503)
    // even while the broker is unreachable; /health shows the consumer stopped meanwhile.
    void this.startUntilRunning(this.runner);
  }

  private async startUntilRunning(runner: EventTimeConsumerRunner<ValidEvent>): Promise<void> {
    for (let delayMs = 500; !this.stopped; delayMs = Math.min(delayMs * 2, 10_000)) {
      try {
        await runner.start();
        return;
      } catch (error) {
        this.logger.warn(`intake consumer could not start (retrying in ${delayMs} ms): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      }
    }
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
  }
}
