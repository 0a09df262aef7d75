import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BatchConsumerFactory } from './consumer-factory';
import { createKafka } from './kafka-client';
import { KafkaHealthIndicator } from './kafka.health';
import { KafkaModuleOptions, KAFKA_OPTIONS } from './kafka.options';
import { KafkaPublisher } from './kafka-publisher';
import { KAFKA_CLIENT, MESSAGE_PUBLISHER } from './kafka.tokens';

/**
 * Provides the kafkajs client, the MessagePublisher (an idempotent batching producer), the
 * BatchConsumerFactory and the Kafka health indicator. The publisher stops after the
 * consumers (they may still dead-letter during their last batch).
 */
@Module({})
export class KafkaModule implements OnApplicationShutdown {
  constructor(@Inject(MESSAGE_PUBLISHER) private readonly publisher: KafkaPublisher) {}

  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports: [TerminusModule],
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(options.brokers, options.clientId, { security: options.security }) },
        {
          provide: MESSAGE_PUBLISHER,
          inject: [KAFKA_CLIENT],
          useFactory: (kafka) => new KafkaPublisher(kafka, options.publisher),
        },
        BatchConsumerFactory,
        KafkaHealthIndicator,
      ],
      exports: [KAFKA_OPTIONS, KAFKA_CLIENT, MESSAGE_PUBLISHER, BatchConsumerFactory, KafkaHealthIndicator],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}
