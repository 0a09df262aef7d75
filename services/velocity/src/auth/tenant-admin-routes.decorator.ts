import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { TenantKeyGuard } from '@vigil/auth';
import { schemaRef } from '@vigil/service-runtime';

/** A controller whose every route needs a tenant admin key (VELOCITY_ADMIN_KEYS): the guard and its OpenAPI. */
export const TenantAdminRoutes = () =>
  applyDecorators(
    ApiSecurity('adminKey'),
    ApiResponse({ status: 401, description: 'missing or unknown admin key', schema: schemaRef('HttpError') }),
    UseGuards(TenantKeyGuard),
  );
