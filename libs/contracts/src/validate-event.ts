import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { EventEnvelope, VigilEvent } from './envelope';
import { EVENT_TYPES, EventType } from './event-types';
import { compileEventSchemaCheck, SchemaCheck } from './compiled-contract-checks';
import { EventFamily } from './topics';

/** One failing field: machine-readable `field` path and `constraint`, human `reason`. */
export interface FieldError {
  field: string;
  constraint: string;
  reason: string;
}

export type EventValidation =
  | { ok: true; event: VigilEvent; family: EventFamily; key: string }
  | { ok: false; errors: FieldError[] };

const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
} as const;

/** Flattens class-validator's nested errors into one entry per failing field and constraint. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, reason]) => ({
      field,
      constraint,
      reason: constraint === 'whitelistValidation' ? `${field} is not a known field` : reason,
    }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

let schemaCheck: SchemaCheck | undefined;

/** The compiled check of every event type (compiled on first use; compileContractChecks does it at start-up). */
export function eventSchemaCheck(): SchemaCheck {
  return (schemaCheck ??= compileEventSchemaCheck());
}

/** The same verdicts without the compiled fast path: class-validator alone (tests compare both). */
export function validateEventWithClassValidator(raw: unknown): EventValidation {
  if (!isPlainObject(raw)) {
    return { ok: false, errors: [{ field: '', constraint: 'isObject', reason: 'an event must be a JSON object' }] };
  }
  try {
    return validateObject(raw);
  } catch (error) {
    // class-transformer throws on some hostile shapes (e.g. an object with an own "constructor"
    // key); such input is invalid, never a crash of the caller.
    return { ok: false, errors: [{ field: '', constraint: 'isReadable', reason: `the event could not be read: ${(error as Error).message}` }] };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The one validation path for every transport (HTTP, intake topic, tests): checks the
 * envelope, then the payload against the class registered for its type and version, and
 * returns every failing field rather than the first.
 */
export function validateEvent(raw: unknown): EventValidation {
  if (isPlainObject(raw)) {
    // The compiled schema accepts a valid event in a few µs; whatever it refuses is judged (and
    // explained field by field) by class-validator (compiled-contract-checks.ts).
    if (eventSchemaCheck()(raw)) {
      const spec = EVENT_TYPES[raw['type'] as EventType];
      const event = raw as unknown as VigilEvent;
      return { ok: true, event, family: spec.family, key: spec.key(event.data as never) };
    }
  }
  return validateEventWithClassValidator(raw);
}

function validateObject(raw: Record<string, unknown>): EventValidation {
  const envelope = plainToInstance(EventEnvelope, raw);
  const errors = flattenValidationErrors(validateSync(envelope, VALIDATOR_OPTIONS));

  const spec = EVENT_TYPES[raw['type'] as EventType] as (typeof EVENT_TYPES)[EventType] | undefined;
  const version = raw['version'];
  if (spec && typeof version === 'number' && isPlainObject(raw['data'])) {
    const payloadClass = (spec.versions as Record<number, new () => object>)[version];
    if (!payloadClass) {
      errors.push({
        field: 'version',
        constraint: 'knownVersion',
        reason: `version ${version} of ${String(raw['type'])} is not supported; supported: ${Object.keys(spec.versions).join(', ')}`,
      });
    } else {
      const data = plainToInstance(payloadClass, raw['data']);
      errors.push(...flattenValidationErrors(validateSync(data, VALIDATOR_OPTIONS), 'data'));
      if (errors.length === 0) {
        envelope.data = data as never;
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const event = envelope as VigilEvent;
  return { ok: true, event, family: spec!.family, key: spec!.key(event.data as never) };
}

/** Event time of an event in epoch milliseconds. */
export function eventTimeMs(event: Pick<EventEnvelope, 'occurredAt'>): number {
  return Date.parse(event.occurredAt);
}
