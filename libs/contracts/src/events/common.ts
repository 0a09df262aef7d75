import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsISO31661Alpha2,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** Identifiers: opaque strings the platform chooses. Printable, no spaces, at most 128 chars. */
export const ID_PATTERN = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const ID_MESSAGE = '$property must be 1-128 characters of letters, digits and . _ : @ / + = -';

/** class-validator has no decorator composition, so this applies the two id checks together. */
export function IsEntityId(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(ID_PATTERN, { message: ID_MESSAGE })(target, key);
  };
}

/** A country, ISO 3166-1 alpha-2 (e.g. "DE"). */
export function IsCountry(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    IsISO31661Alpha2({ message: '$property must be an ISO 3166-1 alpha-2 country code such as "DE"' })(
      target,
      key,
    );
  };
}

/** An amount of money in a currency's major unit (e.g. 19.99 EUR). */
export class Money {
  /** Amount in the currency's major unit, at most 2^40. */
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 8 })
  @Min(0)
  @Max(2 ** 40)
  amount!: number;

  /** ISO 4217 code, upper case (e.g. "EUR"). */
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as "EUR"' })
  currency!: string;
}

export function IsMoney(): PropertyDecorator {
  return (target, key) => {
    ValidateNested()(target, key);
    Type(() => Money)(target, key);
  };
}

/** A postal address as far as fraud rules need it. */
export class Address {
  /** The platform's stable fingerprint of the normalised address (a hash), used to link accounts. */
  @IsEntityId()
  fingerprint!: string;

  @IsCountry()
  country!: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  postalCode?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  city?: string;
}

export const PAYMENT_INSTRUMENT_TYPES = ['card', 'bank_account', 'wallet', 'crypto', 'other'] as const;

/** A means of payment, identified by the platform's fingerprint (never a card number). */
export class PaymentInstrument {
  /** Stable hash of the instrument (e.g. of the card's PAN), the same across accounts. */
  @IsEntityId()
  fingerprint!: string;

  @IsIn(PAYMENT_INSTRUMENT_TYPES)
  type!: (typeof PAYMENT_INSTRUMENT_TYPES)[number];

  /** Issuing country, when known. */
  @IsOptional()
  @IsCountry()
  country?: string;
}

/** Free text: titles, descriptions, reviews. Bounded so one event cannot be megabytes. */
export function IsText(max: number): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Length(0, max)(target, key);
  };
}

/** IPv4 or IPv6 address. */
export { IsIP } from 'class-validator';
