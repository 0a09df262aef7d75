import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { AdminKeysModule } from './auth/admin-keys.module';
import { VelocityConfig } from './config';
import { EntitiesModule } from './entities/entities.module';
import { ListsModule } from './lists/lists.module';
import { RulesModule } from './rules/rules.module';
import { ScoringModule } from './scoring/scoring.module';
import { SellersModule } from './sellers/sellers.module';

@Module({})
export class AppModule {
  static register(config: VelocityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ serviceName: 'velocity', config }), AdminKeysModule, SellersModule, ScoringModule, ListsModule, RulesModule, EntitiesModule],
    };
  }
}
