import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { ReviewAnalysisModule } from './analysis/review-analysis.module';
import { ReviewAnalysisConfig } from './config';

@Module({})
export class AppModule {
  static register(config: ReviewAnalysisConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ serviceName: 'review-analysis', config }), ReviewAnalysisModule],
    };
  }
}
