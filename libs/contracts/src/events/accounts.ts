import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsFQDN,
  IsIn,
  IsIP,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { IsCountry, IsEntityId } from './common';

export const ACCOUNT_ROLES = ['buyer', 'seller'] as const;

/** `account.created`: a buyer or seller account was registered. */
export class AccountCreated {
  @IsEntityId()
  accountId!: string;

  /** What the account may do. A seller account is the subject of the seller-side detectors. */
  @IsArray()
  @ArrayMaxSize(2)
  @IsIn(ACCOUNT_ROLES, { each: true })
  roles!: (typeof ACCOUNT_ROLES)[number][];

  /** Domain of the sign-up e-mail address (e.g. "gmail.com"); the address itself stays at the platform. */
  @IsFQDN({ require_tld: true }, { message: 'emailDomain must be a domain name such as "example.com"' })
  emailDomain!: string;

  /** Hash of the normalised e-mail address, to link accounts that reuse it. */
  @IsOptional()
  @IsEntityId()
  emailHash?: string;

  /** Hash of the normalised phone number, when one was given. */
  @IsOptional()
  @IsEntityId()
  phoneHash?: string;

  @IsIP()
  signupIp!: string;

  /** The platform's device fingerprint at sign-up. */
  @IsEntityId()
  deviceId!: string;

  /** Country the account declared. */
  @IsCountry()
  country!: string;
}

/** `account.login`: a login attempt, successful or not. */
export class AccountLogin {
  @IsEntityId()
  accountId!: string;

  @IsBoolean()
  success!: boolean;

  /** Why it failed (e.g. "bad_password", "2fa_failed"), when it did. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  failureReason?: string;

  @IsIP()
  ip!: string;

  @IsEntityId()
  deviceId!: string;

  /** Country of the IP address, when the platform resolved it. */
  @IsOptional()
  @IsCountry()
  ipCountry?: string;
}

export const CREDENTIAL_KINDS = ['password', 'email', 'phone', '2fa'] as const;

/** `account.credentials_changed`: password, e-mail, phone or second factor changed. */
export class AccountCredentialsChanged {
  @IsEntityId()
  accountId!: string;

  @IsIn(CREDENTIAL_KINDS)
  credential!: (typeof CREDENTIAL_KINDS)[number];

  @IsOptional()
  @IsIP()
  ip?: string;

  @IsOptional()
  @IsEntityId()
  deviceId?: string;
}

/** `account.payout_changed`: where a seller's money goes was changed. */
export class AccountPayoutChanged {
  @IsEntityId()
  accountId!: string;

  /** Hash of the new payout destination (IBAN, card, wallet), to link accounts that share it. */
  @IsEntityId()
  payoutFingerprint!: string;

  @IsOptional()
  @IsIP()
  ip?: string;

  @IsOptional()
  @IsEntityId()
  deviceId?: string;
}
