import { Module } from '@nestjs/common';
import { ListsModule } from '../lists/lists.module';
import { ScoringModule } from '../scoring/scoring.module';
import { EntitiesController } from './entities.controller';

@Module({ imports: [ScoringModule, ListsModule], controllers: [EntitiesController] })
export class EntitiesModule {}
