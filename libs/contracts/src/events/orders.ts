import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  MaxLength,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Address, IsCountry, IsEntityId, IsMoney, Money, PaymentInstrument } from './common';

export class OrderItem {
  @IsEntityId()
  listingId!: string;

  @IsOptional()
  @IsEntityId()
  productId?: string;

  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity!: number;

  @IsMoney()
  unitPrice!: Money;
}

/** `order.placed`: a buyer ordered from a seller. */
export class OrderPlaced {
  @IsEntityId()
  orderId!: string;

  @IsEntityId()
  buyerId!: string;

  @IsEntityId()
  sellerId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => OrderItem)
  items!: OrderItem[];

  /** Total the buyer pays. */
  @IsMoney()
  amount!: Money;

  @ValidateNested()
  @Type(() => Address)
  shippingAddress!: Address;

  @IsOptional()
  @ValidateNested()
  @Type(() => Address)
  billingAddress?: Address;

  @IsIP()
  ip!: string;

  /** Country of the buyer's IP, when the platform resolved it. */
  @IsOptional()
  @IsCountry()
  ipCountry?: string;

  @IsEntityId()
  deviceId!: string;

  @ValidateNested()
  @Type(() => PaymentInstrument)
  paymentInstrument!: PaymentInstrument;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  promoCode?: string;
}

/** `payment.attempted`: a charge was tried, successfully or not. */
export class PaymentAttempted {
  @IsEntityId()
  paymentId!: string;

  @IsEntityId()
  accountId!: string;

  @IsOptional()
  @IsEntityId()
  orderId?: string;

  @IsBoolean()
  success!: boolean;

  /** Why it failed (e.g. "insufficient_funds", "do_not_honor", "cvc_mismatch"). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  failureReason?: string;

  @IsMoney()
  amount!: Money;

  @ValidateNested()
  @Type(() => PaymentInstrument)
  paymentInstrument!: PaymentInstrument;

  @IsOptional()
  @IsIP()
  ip?: string;

  @IsOptional()
  @IsEntityId()
  deviceId?: string;
}

/** Fields every post-order event carries, so each can be attributed to buyer and seller. */
export class OrderRef {
  @IsEntityId()
  orderId!: string;

  @IsEntityId()
  buyerId!: string;

  @IsEntityId()
  sellerId!: string;
}

/** `order.shipped`: the seller confirmed shipment. */
export class OrderShipped extends OrderRef {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  carrier?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  trackingId?: string;
}

/** `order.delivered`: the carrier or buyer confirmed delivery. */
export class OrderDelivered extends OrderRef {}

/** `order.refunded`: money went back to the buyer. */
export class OrderRefunded extends OrderRef {
  @IsMoney()
  amount!: Money;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  reason?: string;
}

/** `order.returned`: the buyer returned goods. */
export class OrderReturned extends OrderRef {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  reason?: string;
}

/** `chargeback.opened`: the buyer's bank disputed the payment. */
export class ChargebackOpened extends OrderRef {
  @IsMoney()
  amount!: Money;

  /** The card scheme's reason code, when known. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  reasonCode?: string;
}
