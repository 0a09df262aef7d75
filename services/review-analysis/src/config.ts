import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsString, Matches, Max, Min } from 'class-validator';
import { RuntimeConfig } from '@vigil/config';
import { RULE_MODES, RuleMode } from '@vigil/contracts';

/**
 * review-analysis settings. Every detector threshold is an environment variable with a safe
 * default; README.md explains each one and why the default is what it is.
 */
export class ReviewAnalysisConfig extends RuntimeConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT = 3002;

  /** Consumer group of this service (all instances share it). */
  @IsString()
  @Matches(/^[\w.-]+$/)
  REVIEW_CONSUMER_GROUP = 'review-analysis';

  // --- review bursts -------------------------------------------------------------------
  /** Length of the burst window (event time, whole hours). */
  @Type(() => Number) @IsInt() @Min(1) @Max(48)
  REVIEW_BURST_WINDOW_HOURS = 1;

  /** Days of history the baseline rate is taken from (the current day excluded). */
  @Type(() => Number) @IsInt() @Min(1) @Max(60)
  REVIEW_BURST_BASELINE_DAYS = 14;

  /** Minimum reviews of one rating (5 or 1) in the window before a burst can fire. */
  @Type(() => Number) @IsInt() @Min(2)
  REVIEW_BURST_MIN_REVIEWS = 8;

  /** The window count must be at least this multiple of the baseline rate per window. */
  @Type(() => Number) @IsNumber() @Min(1)
  REVIEW_BURST_FACTOR = 5;

  /** Minimum baseline rate per window assumed for entities with little history. */
  @Type(() => Number) @IsNumber() @Min(0)
  REVIEW_BURST_BASELINE_FLOOR = 0.5;

  // --- rating shift ----------------------------------------------------------------------
  /** Recent period whose rating distribution is compared with history (days, incl. today). */
  @Type(() => Number) @IsInt() @Min(1) @Max(30)
  REVIEW_SHIFT_RECENT_DAYS = 7;

  /** History period before the recent one (days). */
  @Type(() => Number) @IsInt() @Min(1) @Max(90)
  REVIEW_SHIFT_HISTORY_DAYS = 30;

  @Type(() => Number) @IsInt() @Min(1)
  REVIEW_SHIFT_MIN_RECENT = 10;

  @Type(() => Number) @IsInt() @Min(1)
  REVIEW_SHIFT_MIN_HISTORY = 20;

  /** Minimum change of the mean rating (stars). */
  @Type(() => Number) @IsNumber() @Min(0)
  REVIEW_SHIFT_MIN_MEAN_DELTA = 1.5;

  /** Minimum total variation distance between the two rating distributions (0..1). */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1)
  REVIEW_SHIFT_MIN_DISTANCE = 0.4;

  // --- reviewer profile (self-dealing, padding) ------------------------------------------
  /** An account younger than this at review time counts as new. */
  @Type(() => Number) @IsNumber() @Min(0)
  REVIEW_NEW_ACCOUNT_DAYS = 7;

  /** How long learned links (device, IP, payment/payout fingerprint, address) are kept. */
  @Type(() => Number) @IsInt() @Min(1) @Max(365)
  REVIEW_LINK_TTL_DAYS = 90;

  /** Most recent links kept per account (bounded set). */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  REVIEW_MAX_LINKS_PER_ACCOUNT = 64;

  /** Mode of the weak padding-profile detector (sole seller + new account). */
  @IsIn(RULE_MODES)
  REVIEW_PROFILE_MODE: RuleMode = 'enforce';

  // --- reviewers for hire, lockstep ------------------------------------------------------
  @Type(() => Number) @IsInt() @Min(1) @Max(720)
  REVIEW_HIRE_WINDOW_HOURS = 24;

  /** Distinct sellers one account reviews within the window before it looks hired. */
  @Type(() => Number) @IsInt() @Min(2)
  REVIEW_HIRE_MIN_SELLERS = 6;

  /** Products (or sellers, for reviews without product) two accounts must share in the window. */
  @Type(() => Number) @IsInt() @Min(2)
  REVIEW_LOCKSTEP_MIN_SHARED = 3;

  /** Accounts (the reviewer included) in a lockstep group before it fires. */
  @Type(() => Number) @IsInt() @Min(2)
  REVIEW_LOCKSTEP_MIN_GROUP = 3;

  // --- near-duplicate text campaigns -----------------------------------------------------
  @Type(() => Number) @IsInt() @Min(1) @Max(720)
  REVIEW_TEXT_WINDOW_HOURS = 72;

  /** Estimated Jaccard similarity (MinHash) above which two texts are near-duplicates. */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1)
  REVIEW_TEXT_MIN_SIMILARITY = 0.4;

  /** Texts with fewer distinct content words are never compared (generic praise). */
  @Type(() => Number) @IsInt() @Min(1)
  REVIEW_TEXT_MIN_WORDS = 6;

  /** Distinct accounts with near-duplicate texts against one seller. */
  @Type(() => Number) @IsInt() @Min(2)
  REVIEW_TEXT_MIN_ACCOUNTS = 3;

  /** Extra weight of an account that was new when it wrote its text. */
  @Type(() => Number) @IsNumber() @Min(0)
  REVIEW_TEXT_NEW_ACCOUNT_WEIGHT = 1;

  /** Weighted account count (1 per account + the extra weight per new one) before it fires. */
  @Type(() => Number) @IsNumber() @Min(1)
  REVIEW_TEXT_MIN_WEIGHT = 4;

  /** How long a processed event id (and its result) is remembered for exactly-once effect. */
  @Type(() => Number) @IsInt() @Min(1) @Max(30)
  REVIEW_DEDUPE_TTL_DAYS = 3;
}
