import { Module } from '@nestjs/common';
import { ReviewAnalysisService } from './review-analysis.service';
import { ReviewStateStore } from './review-state.store';

@Module({ providers: [ReviewStateStore, ReviewAnalysisService], exports: [ReviewStateStore, ReviewAnalysisService] })
export class ReviewAnalysisModule {}
