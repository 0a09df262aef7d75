/** Thrown by handlers for failures that will pass by themselves (a dependency is down). */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** The publisher's bounded queue is full: the caller should back off (HTTP 503). */
export class PublisherOverloadedError extends TransientError {
  constructor(queued: number) {
    super(`publish queue is full (${queued} messages waiting)`);
    this.name = 'PublisherOverloadedError';
  }
}

/** The broker did not acknowledge within the publish timeout. */
export class PublishTimeoutError extends TransientError {
  constructor(timeoutMs: number) {
    super(`broker did not acknowledge within ${timeoutMs} ms`);
    this.name = 'PublishTimeoutError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TRANSIENT_NAMES =
  /Connection|Timeout|MaxRetriesPerRequest|ClusterAllFailed|NumberOfRetriesExceeded|KafkaJSLockTimeout|Broker.*NotAvailable|LeaderNotAvailable|NotLeader/;

/**
 * Whether an error is worth retrying forever (a broker or Redis outage) rather than treating
 * the message as poison. Valid events must never be dead-lettered because a dependency was down.
 */
export function isTransient(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TransientError) return true;
    const { name, code, retriable, message } = e as {
      name?: string;
      code?: string;
      retriable?: boolean;
      message?: string;
    };
    if (retriable === true) return true;
    if (code && TRANSIENT_CODES.has(code)) return true;
    if (name && TRANSIENT_NAMES.test(name)) return true;
    if (message && /Connection is closed|ECONNREFUSED|Stream isn't writeable/.test(message)) return true;
    // A busy, loading or failing-over Redis is an outage too, not a poison message (ioredis
    // gives up on a command with "Too many Cluster redirections" while a failover settles).
    if (message && /^(BUSY|LOADING|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/.test(message)) return true;
    if (message && /^(Too many Cluster redirections|None of startup nodes is available)/.test(message)) return true;
  }
  return false;
}
