import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';

const logger = new Logger('kafkajs');

/**
 * A warning acted on, so it is not logged on every start: the publisher bounds its idempotent
 * producer's retries on purpose (an outage must surface as a 503, not a request that hangs), and
 * the duplicate a later, new send may write is removed downstream by event or signal id.
 */
const HANDLED_WARNINGS = [/^Limiting retries for the idempotent producer may invalidate EoS guarantees/];

/** Routes kafkajs' own logs into the service log at warn and above (info is very chatty). */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    if (HANDLED_WARNINGS.some((w) => w.test(message))) return;
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
  };
}

/** `quiet` silences kafkajs for clients whose errors are expected and handled (topic provisioning polls). */
export function createKafka(brokers: string[], clientId: string, { quiet = false } = {}): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 3000 },
  });
}
