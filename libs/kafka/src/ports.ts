/*
 * The messaging ports the services code against. kafkajs sits behind them (kafka-publisher.ts,
 * batch-consumer.ts), so another client could replace it without touching a service.
 */

export interface OutboundMessage {
  topic: string;
  /** Partition key; messages with the same key keep their order. */
  key: string | null;
  /** Set only where the partition is the point (watermark records); otherwise chosen by key. */
  partition?: number;
  value: string;
  headers?: Record<string, string>;
}

export interface MessagePublisher {
  /** Resolves once the broker acknowledged every message (acks=all); rejects otherwise. */
  publish(messages: OutboundMessage[]): Promise<void>;
}

export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker timestamp (ms since epoch, as a string, as Kafka gives it). */
  timestamp: string;
}

/** Result of decoding one message: a typed value, or the reason it is poison. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string; details?: unknown };

export interface DecodedMessage<T> {
  message: InboundMessage;
  value: T;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** Call during long work so the group does not consider this member dead. */
  heartbeat(): Promise<void>;
}

/**
 * Processes a whole batch. It must be idempotent: after a crash or rebalance the batch is
 * delivered again. Throw to signal failure; nothing of the batch is committed then.
 */
export type BatchHandler<T> = (messages: DecodedMessage<T>[], context: BatchContext) => Promise<void>;
