import { IsInt, IsIP, IsOptional, Max, Min } from 'class-validator';
import { IsEntityId, IsText } from './common';

/** `review.posted`: a rating (and usually a text) about a seller or product. Complaints too. */
export class ReviewPosted {
  @IsEntityId()
  reviewId!: string;

  @IsEntityId()
  authorId!: string;

  @IsEntityId()
  sellerId!: string;

  @IsOptional()
  @IsEntityId()
  productId?: string;

  /** The order the review is about, when it is a verified purchase. */
  @IsOptional()
  @IsEntityId()
  orderId?: string;

  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;

  @IsText(10_000)
  text!: string;

  @IsOptional()
  @IsIP()
  ip?: string;

  @IsOptional()
  @IsEntityId()
  deviceId?: string;
}
