import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';
import { NoDemoSecret, RuntimeConfig } from '@vigil/config';
import { API_KEYS_PATTERN } from '@vigil/auth';
import { parseDuration } from '@vigil/counters';

/** A positive duration that parseDuration (@vigil/counters) reads: "30s", "5m", "1h", "1d". */
function IsDuration(): PropertyDecorator {
  return ValidateBy({
    name: 'isDuration',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        try {
          return parseDuration(value) > 0;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) => `${args?.property ?? 'value'} must be a positive duration such as "30s", "5m", "1h" or "1d"`,
    },
  });
}

export class IngestionConfig extends RuntimeConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT = 3000;

  /**
   * API keys, comma-separated `tenant:key` or `tenant:key:hmacSecret` (a secret makes the
   * X-Vigil-Signature header mandatory for that key). Empty means every request is refused.
   */
  @IsString()
  @Matches(API_KEYS_PATTERN, {
    message: 'INGESTION_API_KEYS must be tenant:key[:secret],tenant:key[:secret],...',
  })
  @NoDemoSecret()
  INGESTION_API_KEYS = '';

  /** Largest accepted request body in bytes (413 beyond). */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  INGESTION_MAX_BODY_BYTES = 1_048_576;

  /** Most events in one POST /v1/events/batch (413 beyond). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  INGESTION_MAX_BATCH_EVENTS = 500;

  /** How long an event id is remembered per tenant: a resend within it is acknowledged without a second publish. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  INGESTION_DEDUPE_TTL_SECONDS = 86_400;

  /** Replay window of signed requests: the signature's timestamp may differ this much from the ingestion clock. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  INGESTION_SIGNATURE_TOLERANCE_SECONDS = 300;

  /** Requests without a known API key per client address and rate window (401 each, 429 beyond; refused before the body is read). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  INGESTION_UNAUTHENTICATED_LIMIT = 30;

  /** Requests per API key per rate window (429 beyond). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  INGESTION_RATE_LIMIT = 6000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  INGESTION_RATE_WINDOW_MS = 60_000;

  /** Retry-After (seconds) sent with 503 when Kafka or Redis is unreachable. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  INGESTION_RETRY_AFTER_SECONDS = 5;

  /**
   * How far in the future an event may be dated: an occurredAt later than the ingestion clock
   * plus this is refused (400 / dead letter), since one such event would push velocity's
   * event-time watermark ahead and make later, correct events look late. Past events of any
   * age are accepted.
   */
  @IsString()
  @IsDuration()
  INGESTION_MAX_FUTURE_SKEW = '5m';
}
