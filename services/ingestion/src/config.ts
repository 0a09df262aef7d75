import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { RuntimeConfig } from '@vigil/config';

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
  @Matches(/^$|^[^:,\s]+:[^:,\s]+(:[^:,\s]+)?(,[^:,\s]+:[^:,\s]+(:[^:,\s]+)?)*$/, {
    message: 'INGESTION_API_KEYS must be tenant:key[:secret],tenant:key[:secret],...',
  })
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
}
