import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { compileMessageCheck, SchemaCheck } from './event-schema-check';
import { FieldError, flattenValidationErrors } from './validate-event';

export type MessageValidation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const checks = new Map<abstract new () => object, SchemaCheck>();

/**
 * Validates any other contract message (signals, alerts, decisions) the same way as events: the
 * class's compiled JSON Schema accepts a valid one in a few µs (event-schema-check.ts), and
 * class-validator judges and explains whatever it refuses.
 */
export function validateMessage<T extends object>(cls: new () => T, raw: unknown): MessageValidation<T> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '', constraint: 'isObject', reason: 'must be a JSON object' }] };
  }
  let check = checks.get(cls);
  if (!check) checks.set(cls, (check = compileMessageCheck(cls)));
  if (check(raw as Record<string, unknown>)) return { ok: true, value: raw as T };
  return validateMessageWithClassValidator(cls, raw);
}

/** The same verdicts without the compiled fast path: class-validator alone (tests compare both). */
export function validateMessageWithClassValidator<T extends object>(cls: new () => T, raw: object): MessageValidation<T> {
  const value = plainToInstance(cls, raw);
  const flat = flattenValidationErrors(
    validateSync(value, { forbidUnknownValues: true, validationError: { target: false, value: false } }),
  );
  return flat.length ? { ok: false, errors: flat } : { ok: true, value };
}
