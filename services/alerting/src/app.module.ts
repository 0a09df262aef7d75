import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { AlertingConfig } from './config';

@Module({})
export class AppModule {
  static register(config: AlertingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ serviceName: 'alerting', config })],
    };
  }
}
