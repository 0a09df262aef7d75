import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsEntityId, IsMoney, IsText, Money } from './common';

/** `listing.created`: a seller put an offer online. */
export class ListingCreated {
  @IsEntityId()
  listingId!: string;

  @IsEntityId()
  sellerId!: string;

  /** Product identifier shared across sellers (GTIN/EAN/ISBN or the platform's catalogue id). */
  @IsOptional()
  @IsEntityId()
  productId?: string;

  /** Category path or id, e.g. "appliances/washing-machines". */
  @IsString()
  @Matches(/^[\w/ .&-]{1,128}$/, { message: 'category must be 1-128 characters of letters, digits, / . & - _ and spaces' })
  category!: string;

  @IsText(300)
  title!: string;

  @IsOptional()
  @IsText(20_000)
  description?: string;

  @IsMoney()
  price!: Money;

  @IsInt()
  @Min(0)
  @Max(1_000_000)
  quantity!: number;
}

/** `listing.updated`: fields of an existing listing changed; absent fields are unchanged. */
export class ListingUpdated {
  @IsEntityId()
  listingId!: string;

  @IsEntityId()
  sellerId!: string;

  @IsOptional()
  @IsEntityId()
  productId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  category?: string;

  @IsOptional()
  @IsText(300)
  title?: string;

  @IsOptional()
  @IsText(20_000)
  description?: string;

  @IsOptional()
  @IsMoney()
  price?: Money;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  quantity?: number;
}
