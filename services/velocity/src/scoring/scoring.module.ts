import { Module } from '@nestjs/common';
import { RuleChangesModule } from '../rules/rule-changes.module';
import { SellersModule } from '../sellers/sellers.module';
import { VelocityConsumer } from './velocity.consumer';

@Module({ imports: [SellersModule, RuleChangesModule], providers: [VelocityConsumer], exports: [VelocityConsumer] })
export class ScoringModule {}
