import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TopicNames } from '@vigil/contracts';
import { BatchConsumerFactory, BatchConsumerRunner, Decoded, InboundMessage } from '@vigil/kafka';
import { consumerGroupId, SERVICE_CONFIG, TOPICS } from '@vigil/service-runtime';
import { IngestionConfig } from '../config';
import { IngestEventsService, ValidEvent } from '../ingest/ingest-events.service';

/** Decodes one intake message: JSON, then the use case's validation (the contracts' validateEvent). */
export function decodeIntakeMessage(ingest: IngestEventsService, message: InboundMessage): Decoded<ValidEvent> {
  let raw: unknown;
  try {
    raw = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch (error) {
    return { ok: false, reason: `intake message is not JSON: ${(error as Error).message}` };
  }
  const [result] = ingest.validate([raw], 'kafka');
  if (!result.ok) return { ok: false, reason: 'invalid event', details: { errors: result.errors } };
  return { ok: true, value: result.valid };
}

/**
 * The Kafka door: platforms may produce raw events to the intake topic instead of calling
 * HTTP. Valid events go through the same IngestEventsService (dedupe, family topic, key);
 * invalid ones are dead-lettered with their field errors by the runner.
 */
@Injectable()
export class IntakeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IntakeConsumer.name);
  private stopped = false;
  private runner: BatchConsumerRunner<ValidEvent> | null = null;

  constructor(
    private readonly consumers: BatchConsumerFactory,
    private readonly ingest: IngestEventsService,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runner = this.consumers.create<ValidEvent>({
      // One group per environment (topic prefix): environments sharing a broker must not share members.
      groupId: consumerGroupId(this.config, 'ingestion-intake'),
      topics: [this.topics.intake],
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
      decode: (message) => decodeIntakeMessage(this.ingest, message),
      // Transient failures (IngestionUnavailableError) make the runner retry the batch.
      handle: async (messages) => {
        await this.ingest.publish(messages.map((m) => m.value), 'kafka');
      },
    });
    // Started in the background and retried: the HTTP door must come up (and answer 503)
    // even while the broker is unreachable; /health shows the consumer stopped meanwhile.
    void this.startUntilRunning(this.runner);
  }

  private async startUntilRunning(runner: BatchConsumerRunner<ValidEvent>): Promise<void> {
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
