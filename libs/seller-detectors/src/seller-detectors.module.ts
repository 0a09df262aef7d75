import { DynamicModule, Module } from '@nestjs/common';
import { SellerBanController } from './http/seller-ban.controller';
import { DeepPartial, resolveOptions, SELLER_DETECTORS_OPTIONS, SellerDetectorsOptions } from './seller-detectors.options';
import { SellerDetectorsService } from './seller-detectors.service';

/**
 * The seller-side and fund-flow detectors with their own consumer runner. Needs
 * ServiceRuntimeModule.forRoot(...) in the importing application (Kafka, Redis, TOPICS).
 */
@Module({})
export class SellerDetectorsModule {
  static forRoot(options: DeepPartial<SellerDetectorsOptions> = {}): DynamicModule {
    return {
      module: SellerDetectorsModule,
      controllers: [SellerBanController],
      providers: [{ provide: SELLER_DETECTORS_OPTIONS, useValue: resolveOptions(options) }, SellerDetectorsService],
      exports: [SellerDetectorsService],
    };
  }
}
