import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TopicNames } from '@vigil/contracts';
import { BatchConsumerFactory, BatchConsumerRunner, Decoded, InboundMessage } from '@vigil/kafka';
import { TOPICS } from '@vigil/service-runtime';
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
export class IntakeConsumer implements OnApplicationBootstrap {
  private runner: BatchConsumerRunner<ValidEvent> | null = null;

  constructor(
    private readonly consumers: BatchConsumerFactory,
    private readonly ingest: IngestEventsService,
    @Inject(TOPICS) private readonly topics: TopicNames,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runner = this.consumers.create<ValidEvent>({
      groupId: 'vigil-ingestion-intake',
      topics: [this.topics.intake],
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
      decode: (message) => decodeIntakeMessage(this.ingest, message),
      // Transient failures (IngestionUnavailableError) make the runner retry the batch.
      handle: async (messages) => {
        await this.ingest.publish(messages.map((m) => m.value), 'kafka');
      },
    });
    await this.runner.start();
  }
}
