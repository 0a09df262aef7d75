import { Module } from '@nestjs/common';
import { SellersModule } from '../sellers/sellers.module';
import { VelocityConsumer } from './velocity.consumer';

@Module({ imports: [SellersModule], providers: [VelocityConsumer], exports: [VelocityConsumer] })
export class ScoringModule {}
