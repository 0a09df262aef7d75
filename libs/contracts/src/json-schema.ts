import 'reflect-metadata';
import { IS_IP, IS_ISO31661_ALPHA_2, IS_ISO8601 } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the storage is not re-exported with types at a typed path
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/** The JSON Schema (draft-07) keywords Vigil's generated schemas use; any other keyword passes through. */
export interface JsonSchema {
  $schema?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
  examples?: unknown[];
  [keyword: string]: unknown;
}

export const JSON_SCHEMA_DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/**
 * Where class-validator-jsonschema's defaults say less (or other) than the validators accept:
 * - IsIP() without a version accepts IPv4 and IPv6; the default converter says ipv4 only.
 * - IsISO8601 accepts a date or a date-time; the default `oneOf` of two formats fails every value
 *   in a validator that ignores formats (both branches match), `anyOf` does not.
 * - IsISO31661Alpha2 has no default converter: two letters (validator.js compares upper-cased).
 */
const CONVERTERS: ISchemaConverters = {
  [IS_IP]: (meta) => {
    const version = String(meta.constraints?.[0] ?? '');
    return version === '4' || version === '6' ? { type: 'string', format: `ipv${version}` } : { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
  },
  [IS_ISO8601]: { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] },
  [IS_ISO31661_ALPHA_2]: { type: 'string', pattern: '^[A-Za-z]{2}$' },
};

/**
 * The one JSON Schema generator of Vigil: the schema of every class-validator class loaded (the
 * contracts, and a service's request DTOs when it runs), by class name, nested classes as `$ref`
 * under `refPointerPrefix` (`#/definitions/` for standalone files, `#/components/schemas/` in
 * OpenAPI). class-transformer's storage resolves the nested types (@Type). `classes` are
 * guaranteed an entry (see below).
 */
export function classSchemas(refPointerPrefix: string, classes: readonly (abstract new () => object)[] = []): Record<string, JsonSchema> {
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix,
    classTransformerMetadataStorage: defaultMetadataStorage,
    additionalConverters: CONVERTERS,
  }) as Record<string, JsonSchema>;
  // A class without decorators of its own (`class OrderDelivered extends OrderRef {}`) has no
  // entry: it gets its nearest decorated ancestor's schema under its own name.
  for (const cls of classes) {
    for (let c: unknown = cls; typeof c === 'function' && c.name && !schemas[cls.name]; c = Object.getPrototypeOf(c)) {
      if (schemas[c.name]) schemas[cls.name] = schemas[c.name];
    }
  }
  return schemas;
}

/**
 * Names of the schemas `schema` references (`$ref`s under `refPointerPrefix`), transitively
 * through `all`. A name missing from `all` is returned too (definitionsOf refuses it).
 */
export function referencedSchemaNames(schema: unknown, all: Record<string, JsonSchema>, refPointerPrefix: string): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword === '$ref' && typeof value === 'string' && value.startsWith(refPointerPrefix)) {
        const name = value.slice(refPointerPrefix.length);
        if (names.has(name)) continue;
        names.add(name);
        visit(all[name]);
      } else visit(value);
    }
  };
  visit(schema);
  return names;
}

/** The schemas `schema` references, by name, sorted (so the output does not depend on the order modules were loaded). */
export function definitionsOf(schema: unknown, all: Record<string, JsonSchema>, refPointerPrefix: string, map: (s: JsonSchema) => JsonSchema = (s) => s): Record<string, JsonSchema> {
  const names = [...referencedSchemaNames(schema, all, refPointerPrefix)].sort();
  const missing = names.filter((name) => !all[name]);
  if (missing.length) throw new Error(`references to schemas of no loaded class-validator class: ${missing.join(', ')}`);
  return Object.fromEntries(names.map((name) => [name, map(all[name])]));
}

/**
 * A standalone draft-07 schema of class `root`: its schema at the top, every class it uses under
 * `definitions`.
 * `closed`: unknown fields are refused at every level (what validateEvent's whitelist does).
 */
export function standaloneSchema(root: string, options: { title: string; description: string; closed: boolean }): JsonSchema {
  const all = classSchemas('#/definitions/');
  const own = all[root];
  if (!own) throw new Error(`no class-validator class named ${root} is loaded`);
  const close = (schema: JsonSchema): JsonSchema => (options.closed ? { ...schema, additionalProperties: false } : schema);
  const definitions = definitionsOf(own, all, '#/definitions/', close);
  return {
    $schema: JSON_SCHEMA_DRAFT_07,
    title: options.title,
    description: options.description,
    ...close(own),
    ...(Object.keys(definitions).length ? { definitions } : {}),
  };
}
