import { Logger } from '@nestjs/common';
import { counter } from '@vigil/observability';
import { deadLetterMessage, strippedDeadLetter } from './dead-letter';
import { isTransient } from './errors';
import { DecodedMessage, OutboundMessage } from './ports';

const handlerErrors = counter({
  name: 'vigil_kafka_consumer_handler_errors_total',
  help: 'Failed handler attempts by kind (transient: retried until it passes; permanent: isolated, then dead-lettered)',
  labelNames: ['group', 'kind'],
});

const deadLettersLost = counter({
  name: 'vigil_kafka_dead_letters_lost_total',
  help: 'Dead-letter records the broker refused for good, even stripped of their payload (the offsets moved on)',
  labelNames: ['group'],
});

/** Stopping or rebalancing: the work in hand is left uncommitted for redelivery. */
export class BatchAborted extends Error {
  constructor() {
    super('consumer stopping or rebalancing: batch left uncommitted for redelivery');
  }
}

export interface HandlerRetryOptions {
  groupId: string;
  deadLetterTopic: string;
  /** Attempts for a non-transient failure before the messages are split to find the poison one. */
  maxAttempts: number;
  /** First retry delay; doubles up to maxBackoffMs. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface RetryControl {
  /** False once the consumer stops: transient retries give up and leave the work uncommitted. */
  shouldContinue(): boolean;
  /** True when a rebalance took the partitions away. */
  isStale(): boolean;
  heartbeat(): Promise<void>;
}

/**
 * The one retry policy of every consumer: transient failures (a broker or Redis outage) are
 * retried with capped, jittered exponential backoff for as long as it takes; other failures
 * `maxAttempts` times, then the messages are bisected down to single ones and only those that
 * fail alone are dead-lettered (one poison message costs O(log n) extra attempts).
 */
export class HandlerRetries {
  private readonly logger: Logger;

  constructor(private readonly options: HandlerRetryOptions) {
    this.logger = new Logger(`Consumer:${options.groupId}`);
  }

  /** Runs `handle` until it passes; returns the dead-letter messages of what failed on its own. */
  async run<M extends DecodedMessage<unknown>>(
    messages: M[],
    handle: (messages: M[]) => Promise<void>,
    control: RetryControl,
  ): Promise<OutboundMessage[]> {
    let permanentFailures = 0;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      try {
        await handle(messages);
        return [];
      } catch (error) {
        lastError = error;
        const transient = isTransient(error);
        handlerErrors.inc({ group: this.options.groupId, kind: transient ? 'transient' : 'permanent' });
        if (!transient) permanentFailures++;
        if (permanentFailures >= this.options.maxAttempts) break;
        this.logger.warn(
          `${messages.length} message(s) failed (attempt ${attempt + 1}, ${transient ? 'transient' : 'permanent'}): ${(error as Error).message}`,
        );
        if (control.isStale() || !control.shouldContinue()) throw new BatchAborted();
        await sleep(this.backoff(attempt));
        await control.heartbeat().catch(() => undefined);
      }
    }
    if (messages.length === 1) {
      const { message } = messages[0];
      this.logger.error(
        `dead-lettering ${message.topic}/${message.partition}/${message.offset}: ${(lastError as Error).message}`,
      );
      return [
        deadLetterMessage(
          this.options.deadLetterTopic,
          this.options.groupId,
          message,
          `handler failed: ${(lastError as Error).message}`,
          {
            error: (lastError as Error).name,
          },
        ),
      ];
    }
    const middle = Math.ceil(messages.length / 2);
    return [
      ...(await this.run(messages.slice(0, middle), handle, control)),
      ...(await this.run(messages.slice(middle), handle, control)),
    ];
  }

  /**
   * Publishes dead-letter records: retried through outages (transient errors) until stale; a
   * permanent refusal (e.g. the broker's size limit is below the record's) publishes the stripped
   * records instead, and if even those are refused the loss is logged and counted: never a loop
   * that stalls the partition.
   */
  async publishDeadLetters(publish: (messages: OutboundMessage[]) => Promise<void>, records: OutboundMessage[], isStale: () => boolean): Promise<void> {
    for (const [attemptRecords, what] of [
      [records, 'dead-letter publish'],
      [records.map(strippedDeadLetter), 'stripped dead-letter publish'],
    ] as const) {
      try {
        return await this.retryTransient(() => publish(attemptRecords), what, isStale);
      } catch (error) {
        if (error instanceof BatchAborted) throw error;
        this.logger.error(`${what} refused for good (${(error as Error).message})`);
      }
    }
    deadLettersLost.inc({ group: this.options.groupId }, records.length);
    this.logger.error(`${records.length} dead-letter record(s) could not be published at all; offsets move on (see vigil_kafka_dead_letters_lost_total)`);
  }

  /** Retries an action through outages until it passes or the work goes stale; a permanent error is thrown. */
  private async retryTransient(action: () => Promise<void>, what: string, isStale: () => boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await action();
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.logger.warn(`${what} failed (attempt ${attempt + 1}): ${(error as Error).message}`);
        if (isStale()) throw new BatchAborted();
        await sleep(this.backoff(attempt));
      }
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** attempt);
    return base / 2 + Math.random() * (base / 2);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
