import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { REDIS_CLIENT, RedisClient, RedisKeys } from '@vigil/redis';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { ApiKeyThrottlerGuard } from './auth/api-key-throttler.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
import { PrefixedRedisThrottlerStorage } from './auth/redis-throttler.storage';
import { IngestionConfig } from './config';
import { EventsController } from './http/events.controller';
import { IngestionExceptionFilter } from './http/ingestion-exception.filter';
import { ingestionDoorProvider } from './http/raw-json-body';
import { Clock, INGESTION_CLOCK } from './ingest/future-skew';
import { IdempotencyStore } from './ingest/idempotency.store';
import { IngestEventsService } from './ingest/ingest-events.service';
import { IntakeConsumer } from './intake/intake.consumer';

export interface IngestionModuleOptions {
  /** The ingestion clock (epoch ms) the future-date check compares occurredAt with; Date.now by default. For tests. */
  clock?: Clock;
}

@Module({})
export class AppModule {
  static register(config: IngestionConfig, options: IngestionModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: 'ingestion', config }),
        ThrottlerModule.forRootAsync({
          inject: [REDIS_CLIENT, RedisKeys],
          useFactory: (redis: RedisClient, keys: RedisKeys) => ({
            throttlers: [{ ttl: config.INGESTION_RATE_WINDOW_MS, limit: config.INGESTION_RATE_LIMIT }],
            storage: new PrefixedRedisThrottlerStorage(redis, keys.prefix),
          }),
        }),
      ],
      controllers: [EventsController],
      providers: [
        ingestionDoorProvider,
        { provide: INGESTION_CLOCK, useValue: options.clock ?? Date.now },
        IdempotencyStore,
        IngestEventsService,
        IntakeConsumer,
        ApiKeyGuard,
        ApiKeyThrottlerGuard,
        IngestionExceptionFilter,
      ],
    };
  }
}
