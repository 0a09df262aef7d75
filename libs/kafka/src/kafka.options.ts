import type { KafkaSecurity } from './kafka-client';
export interface KafkaModuleOptions {
  brokers: string[];
  /** SASL and TLS for every client of the service (see KafkaSecurity). */
  security?: KafkaSecurity;
  /** Identifies this service in broker logs and quotas. */
  clientId: string;
  publisher?: Partial<PublisherOptions>;
  /** Defaults for every consumer the BatchConsumerFactory creates (a consumer's own options win). */
  consumer?: { partitionsConsumedConcurrently?: number; sessionTimeoutMs?: number };
}

export interface PublisherOptions {
  /** How long to wait for more messages before sending a batch (Kafka's linger.ms). */
  lingerMs: number;
  /** Messages per produce request at most. */
  maxBatchMessages: number;
  /** Bytes (keys + values) per produce request at most; the broker refuses requests over message.max.bytes (1 MiB). */
  maxBatchBytes: number;
  /** Messages waiting at most; beyond it publish() rejects at once (back-pressure, bounded memory). */
  maxQueuedMessages: number;
  /** publish() rejects if the broker has not acknowledged by then. */
  timeoutMs: number;
}

export const DEFAULT_PUBLISHER_OPTIONS: PublisherOptions = {
  lingerMs: 2,
  maxBatchMessages: 2000,
  maxBatchBytes: 768 * 1024,
  maxQueuedMessages: 50_000,
  timeoutMs: 10_000,
};

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
