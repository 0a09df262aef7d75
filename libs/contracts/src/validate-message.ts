import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AlertDecision, FraudAlert } from './alerts';
import { compileMessageCheck, SchemaCheck } from './compiled-contract-checks';
import { FraudSignal } from './signals';
import { eventSchemaCheck, FieldError, flattenValidationErrors } from './validate-event';

export type MessageValidation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const checks = new Map<abstract new () => object, SchemaCheck>();

function messageCheck(cls: abstract new () => object): SchemaCheck {
  let check = checks.get(cls);
  if (!check) checks.set(cls, (check = compileMessageCheck(cls)));
  return check;
}

/**
 * Compiles the fast paths of events, signals, alerts and decisions now (a few hundred ms at
 * start-up) rather than in the first batch that needs one, where it would delay that batch.
 */
export function compileContractChecks(): void {
  eventSchemaCheck();
  for (const cls of [FraudSignal, FraudAlert, AlertDecision]) messageCheck(cls);
}

/**
 * Validates any other contract message (signals, alerts, decisions) the same way as events: the
 * class's compiled JSON Schema accepts a valid one in a few µs (compiled-contract-checks.ts), and
 * class-validator judges and explains whatever it refuses.
 */
export function validateMessage<T extends object>(cls: new () => T, raw: unknown): MessageValidation<T> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '', constraint: 'isObject', reason: 'must be a JSON object' }] };
  }
  if (messageCheck(cls)(raw as Record<string, unknown>)) return { ok: true, value: raw as T };
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
