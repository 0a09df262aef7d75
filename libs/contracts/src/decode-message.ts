import { VigilEvent } from './envelope';
import { FieldError, validateEvent } from './validate-event';
import { validateMessage } from './validate-message';

/**
 * Header of every message Vigil writes to an internal topic after validating it: ingestion's
 * events on the family topics, the signal builder's signals. Value "<contract>/<version>". A
 * consumer that understands that version parses the message and trusts it, so an event is
 * validated once, at the door; a message without the header (produced by anything else) or with
 * another version is validated in full. Who may write the internal topics is a broker ACL matter.
 */
export const SCHEMA_HEADER = 'vigil-schema';
export const EVENT_SCHEMA = 'event/1';
export const SIGNAL_SCHEMA = 'signal/1'; // signal-builder writes `signal/${schemaVersion}`

/** Routing headers of a family-topic event: consumers can filter by type or tenant without parsing the value. */
export const EVENT_TYPE_HEADER = 'vigil-event-type';
export const TENANT_HEADER = 'vigil-tenant';

/**
 * The headers ingestion writes on every validated event (plus libs/kafka's `vigil-batch`); one
 * function, so the producer and the AsyncAPI document (asyncapi.ts) name the same headers.
 */
export function eventRecordHeaders(event: Pick<VigilEvent, 'type' | 'tenantId'>): Record<string, string> {
  return { [EVENT_TYPE_HEADER]: event.type, [TENANT_HEADER]: event.tenantId, [SCHEMA_HEADER]: EVENT_SCHEMA };
}

export type DecodedContract<T> = { ok: true; value: T } | { ok: false; reason: string; details?: FieldError[] };

interface RawMessage {
  value: Buffer | null;
  headers: Record<string, string>;
}

function parseJson(value: Buffer | null): { ok: true; raw: unknown } | { ok: false; reason: string } {
  if (!value || value.length === 0) return { ok: false, reason: 'empty message value' };
  try {
    return { ok: true, raw: JSON.parse(value.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

const isObject = (raw: unknown): raw is object => typeof raw === 'object' && raw !== null && !Array.isArray(raw);

/** The one decoder of family-topic messages (velocity, the seller detectors, review-analysis). */
export function decodeEventMessage(message: RawMessage): DecodedContract<VigilEvent> {
  const parsed = parseJson(message.value);
  if (!parsed.ok) return parsed;
  if (message.headers[SCHEMA_HEADER] === EVENT_SCHEMA && isObject(parsed.raw)) return { ok: true, value: parsed.raw as VigilEvent };
  const result = validateEvent(parsed.raw);
  if (!result.ok) {
    return { ok: false, reason: `invalid event: ${result.errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`, details: result.errors };
  }
  return { ok: true, value: result.event };
}

/** Decodes another contract message (signals, decisions): trusted when it carries `schema`, else validated. */
export function decodeContractMessage<T extends object>(cls: new () => T, schema: string | null, message: RawMessage): DecodedContract<T> {
  const parsed = parseJson(message.value);
  if (!parsed.ok) return parsed;
  if (schema && message.headers[SCHEMA_HEADER] === schema && isObject(parsed.raw)) return { ok: true, value: parsed.raw as T };
  const result = validateMessage(cls, parsed.raw);
  return result.ok ? { ok: true, value: result.value } : { ok: false, reason: `invalid ${cls.name}`, details: result.errors };
}
