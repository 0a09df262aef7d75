import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { AnalystUser, seesTenant } from '../users/analyst-users';

/** The tenant asked for (if the caller sees it), or the caller's only tenant. */
export function tenantOf(request: { tenantId?: string }, user: AnalystUser): string {
  if (request.tenantId) {
    if (!seesTenant(user, request.tenantId)) throw new ForbiddenException(`${user.name} does not see tenant ${request.tenantId}`);
    return request.tenantId;
  }
  if (user.tenants !== '*' && user.tenants.length === 1) return user.tenants[0];
  throw new BadRequestException([{ field: 'tenantId', constraint: 'required', reason: 'name the tenant: you see more than one' }]);
}
