import { IsIn, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsEntityId } from './common';

export const TRANSFER_KINDS = ['deposit', 'withdrawal', 'external'] as const;

/** `wallet.transfer`: funds moved between two wallets (addresses). */
export class WalletTransfer {
  @IsEntityId()
  transferId!: string;

  @IsEntityId()
  fromWallet!: string;

  @IsEntityId()
  toWallet!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e18)
  amount!: number;

  /** Asset ticker, e.g. "BTC", "USDT". */
  @IsString()
  @Matches(/^[A-Z0-9]{2,12}$/, { message: 'asset must be an upper-case ticker such as "BTC"' })
  asset!: string;

  /** Balance of fromWallet before this transfer; amount == balanceBefore drains the wallet. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e18)
  balanceBefore!: number;

  /**
   * deposit: into a platform user's wallet (from outside); withdrawal: out of the platform;
   * external: observed on chain between two outside wallets (used for taint propagation).
   */
  @IsIn(TRANSFER_KINDS)
  kind!: (typeof TRANSFER_KINDS)[number];

  /** The platform account that owns the platform-side wallet, for deposits and withdrawals. */
  @IsOptional()
  @IsEntityId()
  accountId?: string;
}

export const FLAG_REASONS = ['hack', 'scam', 'sanctions', 'mixer', 'fraud_report', 'other'] as const;

/** `wallet.flagged`: a wallet was reported as belonging to a hacker, scammer, etc. */
export class WalletFlagged {
  @IsEntityId()
  wallet!: string;

  @IsIn(FLAG_REASONS)
  reason!: (typeof FLAG_REASONS)[number];

  /** Who reported it (e.g. "chainalysis", "internal", "law_enforcement"). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  source?: string;
}
