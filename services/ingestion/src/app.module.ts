import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { ApiKeyThrottlerGuard } from './auth/api-key-throttler.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
import { IngestionConfig } from './config';
import { EventsController } from './http/events.controller';
import { IngestionExceptionFilter } from './http/ingestion-exception.filter';
import { rawJsonBodyParserProvider } from './http/raw-json-body';
import { IdempotencyStore } from './ingest/idempotency.store';
import { IngestEventsService } from './ingest/ingest-events.service';
import { IntakeConsumer } from './intake/intake.consumer';

@Module({})
export class AppModule {
  static register(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: 'ingestion', config }),
        ThrottlerModule.forRoot({ throttlers: [{ ttl: config.INGESTION_RATE_WINDOW_MS, limit: config.INGESTION_RATE_LIMIT }] }),
      ],
      controllers: [EventsController],
      providers: [
        rawJsonBodyParserProvider,
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
