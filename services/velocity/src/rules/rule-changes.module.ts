import { Module } from '@nestjs/common';
import { RuleChangesService } from './rule-changes.service';

@Module({ providers: [RuleChangesService], exports: [RuleChangesService] })
export class RuleChangesModule {}
