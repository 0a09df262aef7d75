import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { FieldError, flattenValidationErrors } from './validate-event';

export type MessageValidation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Validates any other contract message (signals, alerts, decisions) the same way as events. */
export function validateMessage<T extends object>(cls: new () => T, raw: unknown): MessageValidation<T> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '', constraint: 'isObject', reason: 'must be a JSON object' }] };
  }
  const value = plainToInstance(cls, raw);
  const flat = flattenValidationErrors(
    validateSync(value, { forbidUnknownValues: true, validationError: { target: false, value: false } }),
  );
  return flat.length ? { ok: false, errors: flat } : { ok: true, value };
}
