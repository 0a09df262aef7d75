import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';

const logger = new Logger('kafkajs');

/** Routes kafkajs' own logs into the service log at warn and above (info is very chatty). */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
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
