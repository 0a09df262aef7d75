import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { createRedisClient, RedisClient } from './redis-client';
import { RedisKeys } from './redis-keys';
import { RedisHealthIndicator } from './redis.health';
import { REDIS_CLIENT, REDIS_OPTIONS, RedisModuleOptions } from './redis.options';

/** Provides the ioredis client, key naming and the Redis health indicator. */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      imports: [TerminusModule],
      providers: [
        { provide: REDIS_OPTIONS, useValue: options },
        { provide: REDIS_CLIENT, useFactory: () => createRedisClient(options) },
        { provide: RedisKeys, useFactory: () => new RedisKeys(options.keyPrefix) },
        RedisHealthIndicator,
      ],
      exports: [REDIS_OPTIONS, REDIS_CLIENT, RedisKeys, RedisHealthIndicator],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
