import { Global, Module } from '@nestjs/common';
import { parseApiKeys, TENANT_KEYS, TenantKeyGuard } from '@vigil/auth';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { VelocityConfig } from '../config';

/** The tenant admin keys that guard the lists and ban routes (VELOCITY_ADMIN_KEYS). */
@Global()
@Module({
  providers: [
    {
      provide: TENANT_KEYS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: VelocityConfig) => parseApiKeys(config.VELOCITY_ADMIN_KEYS, 'VELOCITY_ADMIN_KEYS'),
    },
    TenantKeyGuard,
  ],
  exports: [TENANT_KEYS, TenantKeyGuard],
})
export class AdminKeysModule {}
