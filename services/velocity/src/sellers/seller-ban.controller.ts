import { BadRequestException, Body, Controller, HttpCode, Param, Post, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AuthenticatedTenant, TenantKeyGuard } from '@vigil/auth';
import { ID_PATTERN } from '@vigil/contracts';
import { SellerDetectors } from '@vigil/seller-detectors';

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

/** Bans a seller: its devices, IPs, payout accounts and contact details then flag new sellers that reuse them. */
@Controller('v1/sellers')
@UseGuards(TenantKeyGuard)
export class SellerBanController {
  constructor(private readonly detectors: SellerDetectors) {}

  @Post(':id/ban')
  @HttpCode(201)
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
  async ban(
    @AuthenticatedTenant() tenantId: string,
    @Param('id') id: string,
    @Body() body: BanSellerRequest,
  ): Promise<{ sellerId: string; flaggedLinks: number }> {
    if (!ID_PATTERN.test(id)) throw new BadRequestException(`seller id must match ${ID_PATTERN.source}`);
    const { links } = await this.detectors.flagSeller(tenantId, id, { reason: `ban:${body.reason}`, by: body.by ?? 'unknown' });
    return { sellerId: id, flaggedLinks: links.length };
  }
}
