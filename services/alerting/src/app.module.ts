import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@vigil/service-runtime';
import { AlertFeed } from './alerts/alert-feed';
import { AlertStore } from './alerts/alert-store';
import { AlertsController } from './alerts/alerts.controller';
import { DecisionProcessor } from './alerts/decision-processor.service';
import { SignalProcessor } from './alerts/signal-processor.service';
import { AlertingConfig } from './config';
import { DashboardController } from './dashboard/dashboard.controller';
import { EntitiesController } from './entities/entities.controller';
import { ListsController } from './lists/lists.controller';
import { RulesController } from './rules/rules.controller';
import { VelocityClient } from './velocity-api/velocity.client';
import { UsersModule } from './users/users.module';
import { WebhookDispatcher } from './webhooks/webhook.dispatcher';

@Module({})
export class AppModule {
  static register(config: AlertingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ serviceName: 'alerting', config }), UsersModule],
      controllers: [AlertsController, DashboardController, ListsController, RulesController, EntitiesController],
      providers: [AlertStore, AlertFeed, SignalProcessor, DecisionProcessor, WebhookDispatcher, VelocityClient],
    };
  }
}
