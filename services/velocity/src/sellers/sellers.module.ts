import { Module } from '@nestjs/common';
import { REDIS_CLIENT, RedisClient, RedisKeys } from '@vigil/redis';
import { resolveOptions, SellerDetectors } from '@vigil/seller-detectors';
import { SellerBanController } from './seller-ban.controller';

/** The seller-side and fund-flow detectors (libs/seller-detectors), run by the velocity consumer's pass, and the ban route. */
@Module({
  controllers: [SellerBanController],
  providers: [
    {
      provide: SellerDetectors,
      inject: [REDIS_CLIENT, RedisKeys],
      useFactory: (redis: RedisClient, keys: RedisKeys) => new SellerDetectors(redis, keys, resolveOptions()),
    },
  ],
  exports: [SellerDetectors],
})
export class SellersModule {}
