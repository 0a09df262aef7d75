import { applyDecorators } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiSecurity, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { schemaRef } from '@vigil/service-runtime';

/** The OpenAPI of a dashboard controller that reaches velocity for the analyst (lists, rules, entities). */
export const AnalystRoutesForwardedToVelocity = () =>
  applyDecorators(
    ApiSecurity('bearer'),
    ApiSecurity('session'),
    ApiBadGatewayResponse({ description: 'velocity did not answer, or refused alerting’s key', schema: schemaRef('HttpError') }),
    ApiServiceUnavailableResponse({ description: 'ALERTING_VELOCITY_URL or the tenant’s key in ALERTING_VELOCITY_ADMIN_KEYS is not set', schema: schemaRef('HttpError') }),
  );
