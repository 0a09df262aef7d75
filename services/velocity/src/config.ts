import { join } from 'node:path';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { API_KEYS_PATTERN } from '@vigil/auth';
import { NoDemoSecret, RuntimeConfig } from '@vigil/config';

export class VelocityConfig extends RuntimeConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT = 3001;

  /** The rules file (YAML or JSON); edited in place, reloaded without a restart. */
  @IsString()
  RULES_FILE = join(__dirname, '..', 'rules', 'velocity-rules.yaml');

  /** How often the rules file is checked for changes. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  RULES_POLL_INTERVAL_MS = 1000;

  /** Events older than their entity's newest event minus this are late: metered, not counted. */
  @Matches(/^\d+[smhd]$/, { message: 'ALLOWED_LATENESS must be a duration such as "10m"' })
  ALLOWED_LATENESS = '10m';

  /**
   * Tenant admin keys for the lists and seller-ban routes, comma-separated `tenant:key`. A key acts
   * on its own tenant only. Empty (the default) refuses every call to those routes.
   */
  @IsString()
  @Matches(API_KEYS_PATTERN, { message: 'VELOCITY_ADMIN_KEYS must be tenant:key,tenant:key,...' })
  @NoDemoSecret()
  VELOCITY_ADMIN_KEYS = '';

  /** Allow and deny entries one tenant may hold at most (its list index is bounded); beyond, new entries are refused. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  VELOCITY_LIST_MAX_ENTRIES = 100_000;

  /** Messages one rule preview reads back from the event topics at most (its cost bound); beyond, the preview says it was truncated. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(5_000_000)
  VELOCITY_BACKTEST_MAX_EVENTS = 200_000;
}
