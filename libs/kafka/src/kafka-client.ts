import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import { ConnectionOptions } from 'node:tls';

const logger = new Logger('kafkajs');

/**
 * A warning acted on, so it is not logged on every start: the publisher bounds its idempotent
 * producer's retries on purpose (an outage must surface as a 503, not a request that hangs), and
 * the duplicate a later, new send may write is removed downstream by event or signal id.
 */
const HANDLED_WARNINGS = [/^Limiting retries for the idempotent producer may invalidate EoS guarantees/];

/**
 * Broker answers kafkajs logs at error level and then retries by itself: a partition leader or
 * group coordinator moving (after a topic is created, a broker restarts, a rebalance). Either the
 * retry succeeds, or the call fails and its caller reports it; logged at debug, not as errors.
 */
const RETRIED_RESPONSE_ERRORS =
  /not the leader for that topic-partition|There is no leader for this topic-partition|The group is rebalancing|The coordinator is (loading|not available)|The group coordinator is not available|This is not the correct coordinator/;

export function isRetriedBrokerResponse(message: string, error: unknown): boolean {
  return message.startsWith('Response ') && typeof error === 'string' && RETRIED_RESPONSE_ERRORS.test(error);
}

/** Routes kafkajs' own logs into the service log at warn and above (info is very chatty). */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    if (HANDLED_WARNINGS.some((w) => w.test(message))) return;
    if (isRetriedBrokerResponse(message, extra['error'])) {
      logger.debug(`${message} ${JSON.stringify(extra)}`);
      return;
    }
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
  };
}

/** SASL mechanisms Vigil's clients offer (kafkajs' built-in ones, without OAUTHBEARER and AWS IAM). */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How every Kafka client of a process authenticates and encrypts; nothing set: PLAINTEXT. */
export interface KafkaSecurity {
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** TLS to the brokers: true for the system's CAs, or node:tls options (ca, cert, key, rejectUnauthorized). */
  ssl?: true | ConnectionOptions;
}

export interface CreateKafkaOptions {
  /** Silences kafkajs for clients whose errors are expected and handled (topic provisioning polls). */
  quiet?: boolean;
  security?: KafkaSecurity;
}

export function createKafka(brokers: string[], clientId: string, { quiet = false, security }: CreateKafkaOptions = {}): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers,
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 3000 },
  };
  // The same values as kafkajs' union of one object type per mechanism, which TS does not distribute over.
  if (security?.sasl) config.sasl = security.sasl as SASLOptions;
  if (security?.ssl) config.ssl = security.ssl;
  return new Kafka(config);
}

/** Describes a Kafka failure for a person: a refused login names the user and the variables to check, never the password. */
export function describeKafkaError(error: unknown, security?: KafkaSecurity): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'KafkaJSSASLAuthenticationError') {
    const who = security?.sasl ? ` user "${security.sasl.username}" (${security.sasl.mechanism.toUpperCase()})` : '';
    return `Kafka refused the login of${who}: ${message}. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.`;
  }
  return message;
}
