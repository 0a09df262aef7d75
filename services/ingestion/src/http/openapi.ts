import { EVENT_TYPE_NAMES, EVENT_TYPES, EventEnvelope, exampleEvent, JsonSchema } from '@vigil/contracts';
import { ApiDocsOptions, componentSchema, schemaRef } from '@vigil/service-runtime';
import type { BatchResponse, SingleEventResponse } from './events.controller';

const PAYLOAD_CLASSES = Object.values(EVENT_TYPES).flatMap((spec) => Object.values(spec.versions as Record<number, new () => object>));

/** The envelope as generated from EventEnvelope, with what only the HTTP door adds to its fields. */
const envelope = componentSchema(EventEnvelope);
export const ENVELOPE_SCHEMA: JsonSchema = {
  ...envelope,
  additionalProperties: false,
  properties: {
    ...envelope.properties,
    id: { ...envelope.properties?.['id'], description: 'unique per tenant; resending the same id is deduplicated' },
    occurredAt: { ...envelope.properties?.['occurredAt'], description: 'event time, ISO 8601 with offset; at most INGESTION_MAX_FUTURE_SKEW (default 5m) after the ingestion clock, any age in the past' },
    tenantId: { ...envelope.properties?.['tenantId'], description: "must be the API key's tenant" },
    data: { description: 'the payload of type@version (one schema per type and version in libs/contracts/schemas; see the examples)', anyOf: PAYLOAD_CLASSES.map((cls) => schemaRef(cls)) },
  },
};

export const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', enum: ['invalid_event', 'malformed_json', 'invalid_body', 'payload_too_large', 'batch_too_large', 'unauthorized', 'invalid_signature', 'tenant_mismatch', 'rate_limited', 'unavailable'] },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'constraint', 'reason'],
        properties: { index: { type: 'integer' }, field: { type: 'string' }, constraint: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
};

const fieldError = { type: 'object', required: ['field', 'constraint', 'reason'], properties: { field: { type: 'string' }, constraint: { type: 'string' }, reason: { type: 'string' } } };

/** The 202 answers (SingleEventResponse, BatchResponse of events.controller.ts), property maps typed by them. */
const eventAccepted: { [K in keyof SingleEventResponse]-?: JsonSchema } = {
  id: { type: 'string' },
  status: { type: 'string', enum: ['accepted', 'duplicate'], description: 'duplicate: an event with this id was stored before (nothing published again)' },
};
const batchResult: { [K in keyof BatchResponse]-?: JsonSchema } = {
  accepted: { type: 'integer' },
  duplicates: { type: 'integer' },
  rejected: { type: 'integer' },
  results: {
    type: 'array',
    description: 'one per event, by index',
    items: {
      type: 'object',
      required: ['index', 'status'],
      properties: { index: { type: 'integer' }, id: { type: 'string' }, status: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] }, errors: { type: 'array', items: fieldError } },
    },
  },
};
const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', required: Object.keys(properties), properties });

export const EVENT_EXAMPLES = Object.fromEntries(EVENT_TYPE_NAMES.map((type) => [type, { value: exampleEvent(type) }]));

/** The OpenAPI document of ingestion (served at /docs and /docs-json by runService). */
export const INGESTION_API_DOCS: ApiDocsOptions = {
  title: 'Vigil ingestion API',
  description: 'Marketplace events in; 202 only after Kafka acknowledged them. Errors use one format (ApiError). See services/ingestion/README.md.',
  security: {
    apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    signature: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Vigil-Signature',
      description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>, required for keys with a secret; replay window INGESTION_SIGNATURE_TOLERANCE_SECONDS',
    },
  },
  schemas: { EventEnvelope: ENVELOPE_SCHEMA, ApiError: ERROR_SCHEMA, EventAccepted: object(eventAccepted), BatchResult: object(batchResult) },
  models: PAYLOAD_CLASSES,
};
