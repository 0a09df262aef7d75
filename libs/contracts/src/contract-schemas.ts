import { AlertDecision, FraudAlert } from './alerts';
import { EventEnvelope } from './envelope';
import { EVENT_TYPES, EventType } from './event-types';
import { exampleEvent } from './examples';
import { classSchemas, definitionsOf, JSON_SCHEMA_DRAFT_07, JsonSchema, standaloneSchema } from './json-schema';
import { FraudSignal } from './signals';

const DEFINITIONS = '#/definitions/';

/** `data.<field>`: the payload field a type's partition key is read from (EVENT_TYPES[type].key, evaluated on a recording object). */
export function partitionKeyField(type: EventType): string {
  const recorder = new Proxy({}, { get: (_target, field) => `data.${String(field)}` });
  return (EVENT_TYPES[type].key as (data: object) => string)(recorder);
}

/** File name of the schema of one event type and version under libs/contracts/schemas/. */
export const eventSchemaFile = (type: EventType, version: number) => `${type}.v${version}.json`;

/** The envelope of one type and version: `type` and `version` fixed, `data` the payload class, unknown fields refused at every level. */
function eventTypeSchema(type: EventType, version: number, payloadClass: new () => object): JsonSchema {
  const spec = EVENT_TYPES[type];
  const all = classSchemas(DEFINITIONS, [payloadClass]);
  const envelope = all[EventEnvelope.name];
  const data = { $ref: `${DEFINITIONS}${payloadClass.name}` };
  return {
    $schema: JSON_SCHEMA_DRAFT_07,
    title: `${type} v${version}`,
    description:
      `Event ${type}, schema version ${version}: the envelope with its ${payloadClass.name} payload. ` +
      `Published to events.${spec.family} (with the environment's topic prefix), partition key ${partitionKeyField(type)}. Unknown fields are refused.`,
    ...envelope,
    additionalProperties: false,
    properties: {
      ...envelope.properties,
      type: { type: 'string', const: type },
      version: { type: 'integer', const: version },
      data,
    },
    definitions: definitionsOf(data, all, DEFINITIONS, (schema) => ({ ...schema, additionalProperties: false })),
    examples: [exampleEvent(type, { version })],
  };
}

/**
 * Every committed JSON Schema of the contracts, by file name (libs/contracts/schemas/), generated
 * from the class-validator classes: the generic envelope, one schema per event type and version,
 * the signal, the alert and the decision. Events refuse unknown fields (validateEvent's whitelist);
 * signals, alerts and decisions do not (validateMessage checks the known fields only).
 */
export function contractSchemas(): Record<string, JsonSchema> {
  const events = Object.entries(EVENT_TYPES).flatMap(([type, spec]) =>
    Object.entries(spec.versions as Record<number, new () => object>).map(([version, payloadClass]) => [
      eventSchemaFile(type as EventType, Number(version)),
      eventTypeSchema(type as EventType, Number(version), payloadClass),
    ]),
  );
  return {
    'envelope.json': standaloneSchema(EventEnvelope.name, {
      title: 'Event envelope',
      description: 'Every event, whatever its type: `data` holds the payload of type@version, described by <type>.v<version>.json beside this file. Unknown fields are refused.',
      closed: true,
    }),
    ...Object.fromEntries(events),
    'signal.json': standaloneSchema(FraudSignal.name, {
      title: 'FraudSignal',
      description: 'fraud.signals: one rule or detector fired (velocity, the seller detectors, review-analysis).',
      closed: false,
    }),
    'alert.json': standaloneSchema(FraudAlert.name, {
      title: 'FraudAlert',
      description: 'fraud.alerts: a scored, deduplicated alert per subject and episode; consumers keep the highest revision per alertId.',
      closed: false,
    }),
    'decision.json': standaloneSchema(AlertDecision.name, {
      title: 'AlertDecision',
      description: "fraud.decisions: an analyst's decision on an alert.",
      closed: false,
    }),
  };
}
