import { Transform, Type } from 'class-transformer';
import { ArrayMinSize, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { KAFKA_SASL_MECHANISMS, KafkaSaslMechanism } from '@vigil/kafka';

/** "true"/"1" and "false"/"0"; anything else stays a string, which IsBoolean then refuses by name. */
const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : value;
};

const splitList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;

/** Settings every Vigil service shares. A service extends this class with its own. */
export class RuntimeConfig {
  /** HTTP port for the API, /health and /metrics. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Comma-separated Kafka bootstrap servers, host:port. */
  @Transform(splitList)
  @ArrayMinSize(1)
  @Matches(/^[\w.-]+:\d{1,5}$/, { each: true, message: 'each broker must look like host:port' })
  KAFKA_BROKERS: string[] = ['127.0.0.1:9092'];

  /**
   * SASL for every Kafka client of the service: plain, scram-sha-256 or scram-sha-512 (unset:
   * no SASL). With PLAIN, also set KAFKA_TLS unless the network is trusted: PLAIN sends the
   * password as it is.
   */
  @IsOptional()
  @IsIn(KAFKA_SASL_MECHANISMS)
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;

  @ValidateIf((c: RuntimeConfig) => c.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'is required when KAFKA_SASL_MECHANISM is set' })
  @MinLength(1)
  KAFKA_SASL_USERNAME?: string;

  /** Never logged. */
  @ValidateIf((c: RuntimeConfig) => c.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'is required when KAFKA_SASL_MECHANISM is set' })
  @MinLength(1)
  KAFKA_SASL_PASSWORD?: string;

  /** TLS to the brokers (the SSL or SASL_SSL listener). The CA, certificate and key below are PEM files. */
  @Transform(toBoolean)
  @IsBoolean()
  KAFKA_TLS = false;

  /** CA bundle the brokers' certificates are checked against (default: the system's CAs). */
  @IsOptional()
  @IsString()
  KAFKA_TLS_CA_FILE?: string;

  /** Client certificate and key, for brokers that authenticate clients by TLS (ssl.client.auth=required). */
  @IsOptional()
  @IsString()
  KAFKA_TLS_CERT_FILE?: string;

  @ValidateIf((c: RuntimeConfig) => c.KAFKA_TLS_CERT_FILE !== undefined)
  @IsString({ message: 'is required when KAFKA_TLS_CERT_FILE is set' })
  KAFKA_TLS_KEY_FILE?: string;

  /** Only for a test broker with a self-signed certificate: false accepts any certificate. */
  @Transform(toBoolean)
  @IsBoolean()
  KAFKA_TLS_REJECT_UNAUTHORIZED = true;

  /**
   * Partitions one service instance processes at the same time (kafkajs
   * partitionsConsumedConcurrently). Processing is per partition and idempotent, so this is what
   * running that many instances would do, without their memory: with 1, every batch waits for
   * the previous one's Redis round trip and Kafka acknowledgement.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  KAFKA_PARTITIONS_CONCURRENCY = 4;

  /**
   * Kafka consumer session timeout: how long the group waits for a member that stopped
   * heartbeating (a crashed or frozen instance) before its partitions move to another. This is
   * the failover time of the event-time consumers' hot standbys; lower it for faster takeover,
   * at the price of rebalances on long GC or network pauses. Within the broker's
   * group.min/max.session.timeout.ms (6 s and 30 min by default). Heartbeats go every third of it, at most 3 s.
   */
  @Type(() => Number)
  @IsInt()
  @Min(6_000)
  @Max(1_800_000)
  KAFKA_SESSION_TIMEOUT_MS = 30_000;

  /**
   * Bound on a graceful stop (SIGTERM or SIGINT): consumers finish and commit the batch in hand and
   * leave their group, the publisher flushes, webhook sends in flight settle, Redis and Kafka
   * disconnect. Past it the process exits with code 1 anyway (an open SSE stream or a stuck
   * dependency must not keep it up until SIGKILL); what was not committed is redelivered.
   * The HTTP server stops taking connections at the signal; requests in flight complete.
   * Measured (ingestion, 2 cores): ~4.5 s idle and under HTTP load (test/ops/graceful-shutdown.int-spec.ts).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 20_000;

  /**
   * Event-time alignment (consumers that evaluate in event time: velocity, review-analysis): a
   * partition that is caught up and has received nothing for this long stops holding back the
   * others. The bound on the extra latency ordering costs when traffic is sparse. See docs/event-time.md.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  STREAM_IDLE_MS = 200;

  /**
   * Event-time alignment: wall time an arrival waits before it counts towards its partition's
   * watermark, to absorb disorder inside one partition (several producers writing the same
   * partition). 0 when each partition is written in event-time order, as ingestion does.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  STREAM_HOLD_MS = 0;

  /** Prefix for every topic name, so several environments can share a broker. */
  @IsString()
  @Matches(/^[\w.-]*$/, { message: 'may contain only letters, digits, ".", "_" and "-"' })
  VIGIL_TOPIC_PREFIX = '';

  /** redis://host:port[/db] for a standalone Redis, or a comma-separated list of cluster nodes with REDIS_CLUSTER=true. */
  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Transform(toBoolean)
  @IsBoolean()
  REDIS_CLUSTER = false;

  /** Prefix of every Redis key (lets tests and environments share one Redis). */
  @IsString()
  @Matches(/^[\w:.-]+$/, { message: 'may contain only letters, digits, ":", ".", "_" and "-"' })
  REDIS_KEY_PREFIX = 'vigil';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** The local demo (npm start) only: admits the public demo credentials of deploy/local/demo.env. */
  @Transform(toBoolean)
  @IsBoolean()
  VIGIL_DEMO_MODE = false;
}
