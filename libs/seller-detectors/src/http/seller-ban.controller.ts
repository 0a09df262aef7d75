import { BadRequestException, Body, Controller, HttpCode, Param, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ID_PATTERN } from '@vigil/contracts';
import { SellerDetectorsService } from '../seller-detectors.service';

export class BanSellerRequest {
  @Matches(ID_PATTERN, { message: 'tenantId must be 1-128 characters of letters, digits and ._:@/+=-' })
  tenantId!: string;

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
export class SellerBanController {
  constructor(private readonly detectors: SellerDetectorsService) {}

  @Post(':id/ban')
  @HttpCode(201)
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
  async ban(@Param('id') id: string, @Body() body: BanSellerRequest): Promise<{ sellerId: string; flaggedLinks: number }> {
    if (!ID_PATTERN.test(id)) throw new BadRequestException(`seller id must match ${ID_PATTERN.source}`);
    const { links } = await this.detectors.flagSeller(body.tenantId, id, { reason: `ban:${body.reason}`, by: body.by ?? 'unknown' });
    return { sellerId: id, flaggedLinks: links.length };
  }
}
