import { DynamicModule, Module } from '@nestjs/common';
import { SellerDetectorsModule } from '@vigil/seller-detectors';
import { consumerGroupId, ServiceRuntimeModule } from '@vigil/service-runtime';
import { VelocityConfig } from './config';
import { ListsModule } from './lists/lists.module';
import { ScoringModule } from './scoring/scoring.module';

@Module({})
export class AppModule {
  static register(config: VelocityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: 'velocity', config }),
        ScoringModule,
        ListsModule,
        // Seller-side and fund-flow detectors (libs/seller-detectors): their own consumer group
        // over the same family topics, so a slow detector never delays the velocity rules.
        SellerDetectorsModule.forRoot({ groupId: consumerGroupId(config, 'seller-detectors'), fromBeginning: true }),
      ],
    };
  }
}
