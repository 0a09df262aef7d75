import { BadRequestException, Body, Controller, HttpCode, Param, Post, UsePipes, ValidationPipe, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AuthenticatedTenant, TenantKeyGuard } from '@vigil/auth';
import { TenantAdminRouteDocs } from '../auth/tenant-admin-routes.decorator';
import { ID_PATTERN } from '@vigil/contracts';
import { SellerDetectors } from '@vigil/seller-detectors';
import { schemaRef } from '@vigil/service-runtime';

/** The tenant is the caller's key's (VELOCITY_ADMIN_KEYS), never a body field. */
export class BanSellerRequest {
  @IsString()
  @MaxLength(500)
  reason!: string;

  /** Who banned (analyst id, system). */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  by?: string;
}

export interface SellerBanResult {
  sellerId: string;
  /** Devices, IPs, payout accounts and contact details of the seller now flagged. */
  flaggedLinks: number;
}

/** Bans a seller: its devices, IPs, payout accounts and contact details then flag new sellers that reuse them. */
@ApiTags('sellers')
@TenantAdminRouteDocs()
@ApiResponse({ status: 400, description: 'invalid seller id or body', schema: schemaRef('HttpError') })
@Controller('v1/sellers')
@UseGuards(TenantKeyGuard)
export class SellerBanController {
  constructor(private readonly detectors: SellerDetectors) {}

  @Post(':id/ban')
  @HttpCode(201)
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
  @ApiCreatedResponse({ description: 'the seller is banned; flaggedLinks = devices, IPs, payout accounts and contacts now flagged', schema: schemaRef('SellerBan') })
  async ban(
    @AuthenticatedTenant() tenantId: string,
    @Param('id') id: string,
    @Body() body: BanSellerRequest,
  ): Promise<SellerBanResult> {
    if (!ID_PATTERN.test(id)) throw new BadRequestException(`seller id must match ${ID_PATTERN.source}`);
    const { links } = await this.detectors.flagSeller(tenantId, id, { reason: `ban:${body.reason}`, by: body.by ?? 'unknown' });
    return { sellerId: id, flaggedLinks: links.length };
  }
}
