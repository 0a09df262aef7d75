import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { schemaRef } from '@vigil/service-runtime';

/** The OpenAPI of a controller guarded by TenantKeyGuard (a tenant admin key of VELOCITY_ADMIN_KEYS on every route). */
export const TenantAdminRouteDocs = () =>
  applyDecorators(
    ApiSecurity('adminKey'),
    ApiResponse({ status: 401, description: 'missing or unknown admin key', schema: schemaRef('HttpError') }),
  );
