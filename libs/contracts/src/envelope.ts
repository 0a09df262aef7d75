import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, Min } from 'class-validator';
import { EVENT_TYPE_NAMES, EventPayload, EventType } from './event-types';
import { IsEntityId } from './events/common';

/**
 * Every event, whatever its type, travels in this envelope. `data` holds the type's payload.
 * This is the format of the HTTP API, the intake topic and the family topics alike.
 */
export class EventEnvelope<T extends EventType = EventType> {
  /** Unique id chosen by the platform; resending the same id is safe (deduplicated). */
  @IsEntityId()
  id!: string;

  /** Event type, e.g. "order.placed". */
  @IsIn(EVENT_TYPE_NAMES, { message: `type must be one of: ${EVENT_TYPE_NAMES.join(', ')}` })
  type!: T;

  /** Schema version of `data` for this type (currently 1 for every type). */
  @IsInt()
  @Min(1)
  version!: number;

  /** When it happened at the platform (event time, ISO 8601 with offset). Windows use this, not arrival time. */
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'occurredAt must be an ISO 8601 timestamp such as 2026-01-31T12:00:00Z' })
  occurredAt!: string;

  /** The marketplace (tenant) the event belongs to. */
  @IsEntityId()
  tenantId!: string;

  /** Groups events of one user journey or request; carried into signals and alerts. */
  @IsOptional()
  @IsEntityId()
  correlationId?: string;

  /** Id of the event that caused this one. */
  @IsOptional()
  @IsEntityId()
  causationId?: string;

  @IsObject()
  data!: EventPayload<T>;
}

/** A validated event of any type; narrow on `type` to get its payload. */
export type VigilEvent = { [T in EventType]: EventEnvelope<T> & { type: T } }[EventType];
