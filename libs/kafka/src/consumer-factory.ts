import { Inject, BeforeApplicationShutdown, Injectable, Optional } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { BatchConsumerOptions, BatchConsumerRunner } from './batch-consumer';
import { EventTimeConsumerOptions, EventTimeConsumerRunner } from './event-time/event-time-consumer';
import { KafkaModuleOptions, KAFKA_OPTIONS } from './kafka.options';
import { KAFKA_CLIENT, MESSAGE_PUBLISHER } from './kafka.tokens';
import { MessagePublisher } from './ports';

/** Creates batch consumers and stops them all, gracefully, when the application shuts down. */
@Injectable()
export class BatchConsumerFactory implements BeforeApplicationShutdown {
  private readonly runners: (BatchConsumerRunner<unknown> | EventTimeConsumerRunner<unknown>)[] = [];

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(MESSAGE_PUBLISHER) private readonly publisher: MessagePublisher,
    @Optional() @Inject(KAFKA_OPTIONS) private readonly moduleOptions?: KafkaModuleOptions,
  ) {}

  create<T>(options: BatchConsumerOptions<T>): BatchConsumerRunner<T> {
    const runner = new BatchConsumerRunner<T>(this.kafka, this.publisher, {
      ...this.moduleOptions?.consumer,
      ...options,
    });
    this.runners.push(runner as BatchConsumerRunner<unknown>);
    return runner;
  }

  /** A consumer whose handler sees all its partitions merged in event-time order (see EventTimeConsumerRunner). */
  createEventTime<T>(options: EventTimeConsumerOptions<T>): EventTimeConsumerRunner<T> {
    const runner = new EventTimeConsumerRunner<T>(this.kafka, this.publisher, { ...this.moduleOptions?.consumer, ...options });
    this.runners.push(runner as EventTimeConsumerRunner<unknown>);
    return runner;
  }

  get all(): readonly (BatchConsumerRunner<unknown> | EventTimeConsumerRunner<unknown>)[] {
    return this.runners;
  }

  // Before the publisher closes (onApplicationShutdown): a last batch may still dead-letter.
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}
