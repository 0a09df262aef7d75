import { INestApplication } from '@nestjs/common';
import { ApiParam, ApiQuery, DocumentBuilder, OpenAPIObject, SchemaObject, SecuritySchemeObject, SwaggerModule } from '@nestjs/swagger';
import { classSchemas, definitionsOf, JsonSchema } from '@vigil/contracts';

/** Where component schemas live in an OpenAPI document. */
export const COMPONENT_SCHEMAS = '#/components/schemas/';

type Class = abstract new () => object;

/** `{ $ref }` to a component schema: a class-validator class (by class) or a hand-written schema of ApiDocsOptions.schemas (by name). */
export function schemaRef(target: Class | string): { $ref: string } {
  return { $ref: `${COMPONENT_SCHEMAS}${typeof target === 'string' ? target : target.name}` };
}

/** The JSON Schema of a class-validator class, its nested classes as component $refs. */
export function componentSchema(cls: Class): JsonSchema {
  return classSchemas(COMPONENT_SCHEMAS, [cls])[cls.name];
}

// Our JsonSchema is the JSON Schema subset OpenAPI 3.0 takes; swagger's SchemaObject types only the OpenAPI keywords.
const asOpenApi = (schema: JsonSchema) => schema as SchemaObject;

/**
 * Query parameters from a class-validator query DTO (`@Query() q: Dto`): Nest's swagger reads
 * @ApiProperty, which Vigil's DTOs do not carry; their validation decorators are the truth.
 */
export function ApiQueryFrom(cls: Class): MethodDecorator {
  return (target, key, descriptor) => {
    const schema = componentSchema(cls);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      ApiQuery({ name, required: schema.required?.includes(name) ?? false, schema: asOpenApi(property) })(target, key, descriptor);
    }
  };
}

/** Path parameters from a class-validator params DTO (`@Param() p: Dto`), as ApiQueryFrom. */
export function ApiParamsFrom(cls: Class): MethodDecorator {
  return (target, key, descriptor) => {
    for (const [name, property] of Object.entries(componentSchema(cls).properties ?? {})) {
      ApiParam({ name, required: true, schema: asOpenApi(property) })(target, key, descriptor);
    }
  };
}

/** Nest's error body (HttpException), what velocity and alerting answer on 4xx: `message` is a sentence or the failing fields. */
export const HTTP_ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    message: {
      anyOf: [
        { type: 'string' },
        { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'object', properties: { field: { type: 'string' }, constraint: { type: 'string' }, reason: { type: 'string' } } }] } },
      ],
    },
    error: { type: 'string' },
  },
};

export interface ApiDocsOptions {
  title: string;
  description: string;
  /** Security schemes by name (routes name theirs with @ApiSecurity). */
  security: Record<string, SecuritySchemeObject>;
  /** Hand-written component schemas (error formats, read-model views), by name. */
  schemas?: Record<string, JsonSchema>;
  /** Classes listed even when no route references them (ingestion: the event payloads). */
  models?: Class[];
}

/**
 * The OpenAPI document of a service: Nest's routes, request and response schemas from the
 * class-validator classes (the one generator, @vigil/contracts classSchemas) and the service's
 * hand-written schemas. Components are only what the document references (plus `models`):
 * class-validator's storage also holds config and internal classes, which are not API.
 */
export function createApiDocument(app: INestApplication, options: ApiDocsOptions): OpenAPIObject {
  const builder = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1');
  for (const [name, scheme] of Object.entries(options.security)) builder.addSecurity(name, scheme);
  const document = SwaggerModule.createDocument(app, builder.build());
  documentMetrics(document);
  // swagger's own entries for DTO classes are empty (no @ApiProperty): the generated ones replace them
  const all: Record<string, JsonSchema> = {
    ...(document.components?.schemas as Record<string, JsonSchema> | undefined),
    ...classSchemas(COMPONENT_SCHEMAS, options.models),
    ...options.schemas,
  };
  const roots = [document.paths, Object.keys(options.schemas ?? {}).map(schemaRef), (options.models ?? []).map(schemaRef)];
  document.components = { ...document.components, schemas: definitionsOf(roots, all, COMPONENT_SCHEMAS) as Record<string, SchemaObject> };
  return document;
}

/** Serves the document at /docs (Swagger UI) and /docs-json. Call before app.listen(). */
export function setupApiDocs(app: INestApplication, options: ApiDocsOptions): OpenAPIObject {
  const document = createApiDocument(app, options);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return document;
}

/** GET /metrics comes from @willsoto/nestjs-prometheus (ObservabilityModule), whose controller has no OpenAPI decorators. */
function documentMetrics(document: OpenAPIObject): void {
  const metrics = document.paths['/metrics']?.get;
  if (!metrics) return;
  metrics.summary = 'Prometheus metrics (text exposition format)';
  metrics.responses = { '200': { description: 'every metric of this instance', content: { 'text/plain': { schema: { type: 'string' } } } } };
}
