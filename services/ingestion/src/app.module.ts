import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { ApiKeyThrottlerGuard } from './auth/api-key-throttler.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
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
        ThrottlerModule.forRoot({ throttlers: [{ ttl: config.INGESTION_RATE_WINDOW_MS, limit: config.INGESTION_RATE_LIMIT }] }),
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
