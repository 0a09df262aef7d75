import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring/scoring.module';
import { EventLogReader } from './event-log.reader';
import { RuleChangesModule } from './rule-changes.module';
import { RulePreviewService } from './rule-preview.service';
import { RulesController } from './rules.controller';

@Module({ imports: [ScoringModule, RuleChangesModule], controllers: [RulesController], providers: [EventLogReader, RulePreviewService] })
export class RulesModule {}
