import { Module } from '@nestjs/common';
import { VelocityConsumer } from './velocity.consumer';

@Module({ providers: [VelocityConsumer], exports: [VelocityConsumer] })
export class ScoringModule {}
