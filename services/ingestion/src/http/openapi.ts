import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { EVENT_TYPE_NAMES, exampleEvent } from '@vigil/contracts';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the storage is not re-exported with types at a typed path
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

/** JSON Schema of the envelope; `data` per type is described by the examples and libs/contracts/README.md. */
export const ENVELOPE_SCHEMA = {
  type: 'object',
  required: ['id', 'type', 'version', 'occurredAt', 'tenantId', 'data'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'unique per tenant; resending the same id is deduplicated' },
    type: { type: 'string', enum: EVENT_TYPE_NAMES },
    version: { type: 'integer', minimum: 1 },
    occurredAt: { type: 'string', format: 'date-time', description: 'event time, ISO 8601 with offset; at most INGESTION_MAX_FUTURE_SKEW (default 5m) after the ingestion clock, any age in the past' },
    tenantId: { type: 'string', description: "must be the API key's tenant" },
    correlationId: { type: 'string' },
    causationId: { type: 'string' },
    data: { type: 'object', description: 'payload of type@version; see the examples' },
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

export const EVENT_EXAMPLES = Object.fromEntries(EVENT_TYPE_NAMES.map((type) => [type, { value: exampleEvent(type) }]));

/** Serves the OpenAPI document at /docs (UI) and /docs-json. Call before app.listen(). */
export function setupApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Vigil ingestion API')
    .setDescription('Marketplace events in; 202 only after Kafka acknowledged them. Errors use one format (ApiError). See services/ingestion/README.md.')
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'apiKey')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Vigil-Signature', description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>, required for keys with a secret; replay window INGESTION_SIGNATURE_TOLERANCE_SECONDS' }, 'signature')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // JSON Schema of every payload class, generated from the class-validator decorators of @vigil/contracts
  // (class-validator-jsonschema 5.x works with class-validator 0.15; class-transformer's storage resolves nested types).
  const payloadSchemas = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/', classTransformerMetadataStorage: defaultMetadataStorage });
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...payloadSchemas, EventEnvelope: ENVELOPE_SCHEMA, ApiError: ERROR_SCHEMA } as never };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
