import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { kafkaSecurityFromConfig, RuntimeConfig } from '@vigil/config';
import { topicNames } from '@vigil/contracts';
import { KafkaModule } from '@vigil/kafka';
import { ObservabilityModule } from '@vigil/observability';
import { RedisModule } from '@vigil/redis';
import { HealthController } from './health.controller';
import { SERVICE_CONFIG, TOPICS } from './tokens';

export interface ServiceRuntimeOptions<C extends RuntimeConfig> {
  serviceName: string;
  config: C;
}

/**
 * What every Vigil service runs on: JSON logs, /metrics, /health, the Kafka and Redis
 * clients, its validated config and the topic names. A service module imports this and
 * adds only its own features.
 */
@Module({})
export class ServiceRuntimeModule {
  static forRoot<C extends RuntimeConfig>({ serviceName, config }: ServiceRuntimeOptions<C>): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [
        ObservabilityModule.forRoot({ serviceName, logLevel: config.LOG_LEVEL }),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          security: kafkaSecurityFromConfig(config),
          clientId: `vigil-${serviceName}`,
          consumer: { partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENCY, sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS },
        }),
        RedisModule.forRoot({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, keyPrefix: config.REDIS_KEY_PREFIX }),
        TerminusModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: TOPICS, useValue: topicNames(config.VIGIL_TOPIC_PREFIX) },
      ],
      exports: [SERVICE_CONFIG, TOPICS],
    };
  }
}
