import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { API_KEYS_PATTERN } from '@vigil/auth';
import { NoDemoSecret, RuntimeConfig } from '@vigil/config';
import { SEVERITIES, Severity } from '@vigil/contracts';

const splitList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;

/** "name:number,name:number" lists (rule weights, severity weights and thresholds). */
const WEIGHT_LIST = /^([\w.:@/+=-]+:\d+(\.\d+)?)?(,\s*[\w.:@/+=-]+:\d+(\.\d+)?)*$/;

export class AlertingConfig extends RuntimeConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT = 3003;

  /** Signals of different rules about one subject within this much event time of the alert's last signal join it. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  ALERTING_WINDOW_MS = 60 * 60 * 1000;

  /** A repeat of a rule already in the open alert within this much event time updates it instead of raising a new alert. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  ALERTING_COOLDOWN_MS = 6 * 60 * 60 * 1000;

  /** How long alert documents, the open-alert pointer and signal dedupe keys live in Redis. */
  @Type(() => Number)
  @IsInt()
  @Min(60_000)
  ALERTING_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

  /** Alerts kept in the dashboard index (a sorted set trimmed to this size). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(100_000)
  ALERTING_INDEX_SIZE = 5000;

  /** Search: alerts kept per tenant in its time index (oldest dropped beyond). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(1_000_000)
  ALERTING_SEARCH_INDEX_SIZE = 100_000;

  /** Search: alerts kept per entity, subject id and rule of a tenant (oldest dropped beyond). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(100_000)
  ALERTING_SEARCH_KEY_SIZE = 2000;

  /** Rows of one export at most (CSV or JSON); beyond, the export says it was truncated. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  ALERTING_EXPORT_MAX_ROWS = 10_000;

  /** Per-rule weight multiplying the signal's severity weight, "card-testing:1.2,review-burst:0.5"; default 1. */
  @IsString()
  @Matches(WEIGHT_LIST, { message: 'must look like "rule:1.2,other-rule:0.5"' })
  ALERTING_RULE_WEIGHTS = '';

  /** Contribution of one signal by its severity (0..1). */
  @IsString()
  @Matches(WEIGHT_LIST, { message: 'must look like "low:0.2,medium:0.4"' })
  ALERTING_SEVERITY_WEIGHTS = 'low:0.2,medium:0.4,high:0.6,critical:0.9';

  /** Minimum score (0..100) of each alert severity; below the lowest, "low". */
  @IsString()
  @Matches(WEIGHT_LIST, { message: 'must look like "medium:40,high:70,critical:90"' })
  ALERTING_SEVERITY_THRESHOLDS = 'medium:40,high:70,critical:90';

  /** Webhook endpoints (comma-separated http(s) URLs) that receive alerts at or above ALERTING_WEBHOOK_MIN_SEVERITY. */
  @Transform(splitList)
  @Matches(/^https?:\/\/\S+$/, { each: true, message: 'each webhook must be an http(s) URL' })
  ALERTING_WEBHOOK_URLS: string[] = [];

  /** HMAC-SHA256 key of the x-vigil-signature header; required when ALERTING_WEBHOOK_URLS is set. */
  @IsString()
  @ValidateIf((config: AlertingConfig) => config.ALERTING_WEBHOOK_URLS.length > 0)
  @MinLength(16, { message: 'must be at least 16 characters when ALERTING_WEBHOOK_URLS is set (receivers verify the signature with it)' })
  @NoDemoSecret()
  ALERTING_WEBHOOK_SECRET = '';

  @IsIn(SEVERITIES)
  ALERTING_WEBHOOK_MIN_SEVERITY: Severity = 'high';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  ALERTING_WEBHOOK_MAX_ATTEMPTS = 6;

  /** First retry delay; doubles per attempt (with jitter), capped at 60 s. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  ALERTING_WEBHOOK_BACKOFF_MS = 1000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  ALERTING_WEBHOOK_TIMEOUT_MS = 5000;

  /** Deliveries waiting in the Redis outbox; when full, new deliveries are dropped and counted (the alert stays on Kafka). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  ALERTING_WEBHOOK_QUEUE_LIMIT = 1000;

  /**
   * Analysts with their own tokens (stored as SHA-256), roles and tenants: a YAML/JSON file written
   * by `npm run alerting:user`. Empty or missing: no users besides ALERTING_DASHBOARD_TOKEN.
   */
  @IsString()
  ALERTING_USERS_FILE = '';

  /** Shared token of an admin "dashboard" user of all tenants (the demo's); empty and no users file: API closed. */
  @IsString()
  @NoDemoSecret()
  ALERTING_DASHBOARD_TOKEN = '';

  /**
   * Velocity's base URL (e.g. http://velocity:3001): the dashboard's list pages go through alerting
   * to velocity's lists API. Empty: the list routes answer 503.
   */
  @Matches(/^$|^https?:\/\/\S+$/, { message: 'ALERTING_VELOCITY_URL must be an http(s) URL or empty' })
  ALERTING_VELOCITY_URL = '';

  /**
   * Velocity admin keys alerting uses for each tenant's lists, `tenant:key,...` (the same keys as
   * VELOCITY_ADMIN_KEYS). A tenant without a key here has no list pages.
   */
  @IsString()
  @Matches(API_KEYS_PATTERN, { message: 'ALERTING_VELOCITY_ADMIN_KEYS must be tenant:key,tenant:key,...' })
  @NoDemoSecret()
  ALERTING_VELOCITY_ADMIN_KEYS = '';

  /** Snoozes kept at most (rule-wide and per subject together); beyond, new ones are refused. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  ALERTING_SNOOZE_MAX = 10_000;
}
