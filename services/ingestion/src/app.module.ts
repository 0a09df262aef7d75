import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { IngestionConfig } from './config';

@Module({})
export class AppModule {
  static register(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ serviceName: 'ingestion', config })],
    };
  }
}
