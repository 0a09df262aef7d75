import { FieldError } from '@vigil/contracts';

/** The ingestion clock in epoch milliseconds; Date.now unless a test injects another. */
export type Clock = () => number;

/** Injection token of the ingestion clock (AppModule.register(config, { clock }) provides it). */
export const INGESTION_CLOCK = Symbol('INGESTION_CLOCK');

/** The constraint name of the refusal, as it appears in field errors and in the rejection metric's reason. */
export const MAX_FUTURE_SKEW_CONSTRAINT = 'maxFutureSkew';

export interface FutureSkewLimit {
  /** How far after the ingestion clock an event's occurredAt may be, in ms. */
  maxSkewMs: number;
  /** The same limit as configured ("5m"), for the reason text. */
  label: string;
}

/**
 * Refuses an event dated later than the ingestion clock plus the allowed skew: velocity
 * evaluates in event time, so one such event would push its watermark ahead and make later,
 * correct events look late. Past events of any age pass (replays). Returns null when the
 * occurredAt is acceptable or not a timestamp at all (its format is validateEvent's concern).
 * The boundary itself (exactly clock + skew) is accepted.
 */
export function futureDatedError(occurredAt: string, nowMs: number, limit: FutureSkewLimit): FieldError | null {
  const eventMs = Date.parse(occurredAt);
  if (!Number.isFinite(eventMs) || eventMs <= nowMs + limit.maxSkewMs) return null;
  return {
    field: 'occurredAt',
    constraint: MAX_FUTURE_SKEW_CONSTRAINT,
    reason: `occurredAt is ${new Date(eventMs).toISOString()}, more than ${limit.label} after the ingestion clock (${new Date(nowMs).toISOString()})`,
  };
}
