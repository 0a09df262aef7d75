import Ajv, { ValidateFunction } from 'ajv';
import {
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  getMetadataStorage,
  IS_ARRAY,
  IS_BOOLEAN,
  IS_FQDN,
  IS_IN,
  IS_INT,
  IS_IP,
  IS_ISO31661_ALPHA_2,
  IS_ISO8601,
  IS_LENGTH,
  IS_NUMBER,
  IS_OBJECT,
  IS_STRING,
  isFQDN,
  isIP,
  isISO31661Alpha2,
  isISO8601,
  isNumber,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { contractSchemas, eventSchemaFile } from './contract-schemas';
import { EventEnvelope } from './envelope';
import { EVENT_TYPES, EventType } from './event-types';
import { JsonSchema, standaloneSchema } from './json-schema';

/*
 * Validation's fast path (issue 13): class-transformer + class-validator cost ingestion ~30-165 µs
 * per event, about a third of its CPU (and the services as much per signal and alert they build).
 * Each event type's (and message class's) JSON Schema, generated from the same class-validator
 * classes (contractSchemas), compiled once by ajv, says the same in a few µs.
 *
 * It only ever ACCEPTS: a value it refuses goes through class-validator, which names each failing
 * field and reason and stays the authority on what the contract means. So the schema must never
 * accept what class-validator refuses. It is built to hold that:
 * - constraints whose generated schema says exactly what class-validator checks (or more) are
 *   left to the schema (SAID_BY_THE_SCHEMA);
 * - constraints the schema says less about (a country is two letters there, an ISO 3166 code
 *   here; formats, which ajv would check its own way) are checked by class-validator's own
 *   function for that constraint, through the `classValidator` keyword (CHECKED_BY_CLASS_VALIDATOR);
 * - any other constraint on an event class makes compiling fail, naming the class and field:
 *   a new decorator must be placed in one of the two lists before events that use it are accepted.
 * compiled-contract-checks.spec.ts compares both paths over mutations of every example event.
 */

const SAID_BY_THE_SCHEMA = new Set([
  IS_STRING,
  MATCHES,
  MAX_LENGTH,
  MIN_LENGTH,
  IS_LENGTH,
  MIN,
  MAX,
  IS_INT,
  IS_IN,
  IS_BOOLEAN,
  IS_ARRAY,
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  IS_OBJECT,
]);

type ConstraintCheck = (value: unknown, constraints: readonly unknown[]) => boolean;

const CHECKED_BY_CLASS_VALIDATOR: Record<string, ConstraintCheck> = {
  [IS_NUMBER]: (value, [options]) => isNumber(value, options as Parameters<typeof isNumber>[1]),
  [IS_IP]: (value, [version]) => isIP(value, version as Parameters<typeof isIP>[1]),
  [IS_ISO8601]: (value, [options]) => isISO8601(value, options as Parameters<typeof isISO8601>[1]),
  [IS_ISO31661_ALPHA_2]: (value) => isISO31661Alpha2(value),
  [IS_FQDN]: (value, [options]) => isFQDN(value, options as Parameters<typeof isFQDN>[1]),
};

interface KeywordCheck {
  name: string;
  constraints: readonly unknown[];
}

/**
 * The `classValidator` keyword of each property of `cls`, from its class-validator metadata;
 * throws on a constraint that is in neither list (see above).
 */
export function constraintChecks(cls: abstract new () => object): Map<string, KeywordCheck[]> {
  const metadatas: ValidationMetadata[] = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const checks = new Map<string, KeywordCheck[]>();
  for (const m of metadatas) {
    const where = `${cls.name}.${m.propertyName}`;
    // the schema's $ref (`items` for `each`) and additionalProperties
    if (m.type === 'nestedValidation' || m.type === 'whitelistValidation') continue;
    // absent is allowed; null (which class-validator also lets pass) goes to class-validator
    if (m.type === 'conditionalValidation' && m.name === 'isOptional') continue;
    // `each` puts the constraint under `items` (and the schema takes arrays only)
    if (m.type === 'customValidation' && m.name && SAID_BY_THE_SCHEMA.has(m.name)) continue;
    if (m.each) throw new Error(`${where}: ${m.name ?? m.type} with "each" has no exact JSON Schema form here`);
    if (m.type === 'customValidation' && m.name && CHECKED_BY_CLASS_VALIDATOR[m.name]) {
      const list = checks.get(m.propertyName) ?? [];
      list.push({ name: m.name, constraints: m.constraints ?? [] });
      checks.set(m.propertyName, list);
      continue;
    }
    throw new Error(`${where}: ${m.name ?? m.type} is not known to compiled-contract-checks.ts; say there whether the JSON Schema says it exactly`);
  }
  return checks;
}

function withChecks(schema: JsonSchema, checks: Map<string, KeywordCheck[]>): JsonSchema {
  if (checks.size === 0) return schema;
  const properties = { ...schema.properties };
  for (const [property, list] of checks) {
    if (!properties[property]) throw new Error(`the schema has no property ${property} to check`);
    properties[property] = { ...properties[property], classValidator: list };
  }
  return { ...schema, properties };
}

/** Every class an event schema's definitions name, by name (the schemas are keyed by class name). */
function classesByName(): Map<string, abstract new () => object> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<abstract new () => object, unknown> };
  const byName = new Map<string, abstract new () => object>();
  for (const cls of storage.validationMetadatas.keys()) byName.set(cls.name, cls);
  for (const spec of Object.values(EVENT_TYPES)) {
    for (const cls of Object.values(spec.versions as Record<number, new () => object>)) byName.set(cls.name, cls);
  }
  return byName;
}

/** `schema` (of class `root`, its classes under `definitions`) with the classValidator keyword wherever it is needed. */
function checkedSchema(schema: JsonSchema, root: abstract new () => object, byName: Map<string, abstract new () => object>): JsonSchema {
  const definitions = Object.fromEntries(
    Object.entries(schema.definitions ?? {}).map(([name, definition]) => {
      const cls = byName.get(name);
      if (!cls) throw new Error(`no class-validator class named ${name}`);
      return [name, withChecks(definition, constraintChecks(cls))];
    }),
  );
  return { ...withChecks(schema, constraintChecks(root)), definitions };
}

let compiler: Ajv | undefined;

/** One ajv for every compiled check: formats and patterns the way class-validator tests them. */
function schemaCompiler(): Ajv {
  if (compiler) return compiler;
  compiler = new Ajv({
    // formats are checked by class-validator's own functions (the classValidator keyword)
    validateFormats: false,
    // class-validator tests its patterns without the u flag
    unicodeRegExp: false,
    allErrors: false,
    strict: false,
    // the schemas are generated (and checked against the meta-schema by the contract tests):
    // checking them again here would be most of the compile time
    validateSchema: false,
  });
  compiler.addKeyword({
    keyword: 'classValidator',
    schemaType: 'array',
    validate: (checks: KeywordCheck[], value: unknown) => {
      try {
        return checks.every((c) => CHECKED_BY_CLASS_VALIDATOR[c.name](value, c.constraints));
      } catch {
        // e.g. isNumber's decimal places of 1e-7 throw: not accepted here, class-validator judges it
        return false;
      }
    },
  });
  return compiler;
}

/** True only when the value is valid; false sends it to class-validator. Never throws. */
export type SchemaCheck = (raw: Record<string, unknown>) => boolean;

function guarded(validate: ValidateFunction): SchemaCheck {
  return (raw) => {
    try {
      return validate(raw) === true;
    } catch {
      // hostile shapes are class-validator's to judge (and explain)
      return false;
    }
  };
}

/** Compiles the door's check of every event type and version (once, at start-up). */
export function compileEventSchemaCheck(): SchemaCheck {
  const schemas = contractSchemas();
  const byName = classesByName();
  const checks = new Map<string, SchemaCheck>();
  for (const [type, spec] of Object.entries(EVENT_TYPES)) {
    for (const version of Object.keys(spec.versions)) {
      const schema = schemas[eventSchemaFile(type as EventType, Number(version))];
      // the top level is the envelope, with type, version and data fixed per event type
      checks.set(`${type}@${version}`, guarded(schemaCompiler().compile(checkedSchema(schema, EventEnvelope, byName))));
    }
  }
  return (raw) => {
    const type = raw['type'];
    const version = raw['version'];
    if (typeof type !== 'string' || typeof version !== 'number') return false;
    return checks.get(`${type}@${version}`)?.(raw) ?? false;
  };
}

/**
 * The check of another contract class (a signal, an alert, a decision), open to fields the class
 * does not declare as validateMessage is.
 */
export function compileMessageCheck(cls: abstract new () => object): SchemaCheck {
  const schema = standaloneSchema(cls.name, { title: cls.name, description: `${cls.name} (validateMessage's fast path)`, closed: false });
  return guarded(schemaCompiler().compile(checkedSchema(schema, cls, classesByName())));
}
