import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';

/** The parts of an OpenAPI 3 document the checks read. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  items?: unknown;
  allOf?: unknown[];
  anyOf?: unknown[];
  oneOf?: unknown[];
}
type Content = Record<string, { schema?: OpenApiSchema }>;
interface Operation {
  requestBody?: { content?: Content };
  responses: Record<string, { content?: Content }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

const paths = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [value === undefined ? '' : String(value)]);
const join = (...parts: string[]) => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;

/** Every route of every controller of the app, from Nest's own route metadata: "GET /v1/alerts/{id}". */
export function controllerRoutes(app: INestApplication): string[] {
  const routes = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        for (const base of paths(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const path of paths(Reflect.getMetadata(PATH_METADATA, handler))) routes.add(`${method} ${join(base, path).replace(/:(\w+)/g, '{$1}')}`);
        }
      }
    }
  }
  return [...routes].sort();
}

/** Every operation of the document: "GET /v1/alerts/{id}". */
export function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** A schema that says nothing about its fields: an object without properties, $ref, items, combinator or value schema. */
function isBare(schema: OpenApiSchema | undefined, doc: OpenApiDocument, seen = new Set<string>()): boolean {
  if (!schema) return true;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return false;
    seen.add(name);
    return isBare(doc.components?.schemas?.[name], doc, seen);
  }
  if (schema.allOf?.length || schema.anyOf?.length || schema.oneOf?.length || schema.items) return false;
  if (schema.type !== undefined && schema.type !== 'object') return false;
  return Object.keys(schema.properties ?? {}).length === 0 && typeof schema.additionalProperties !== 'object';
}

/**
 * Request bodies and 2xx responses that do not describe their payload: a body or response
 * without a schema, or with a bare `{type: object}` (also behind a $ref). 204 has no body.
 */
export function undescribedPayloads(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        if (isBare(media.schema, doc)) problems.push(`${at} request body ${type}`);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^2\d\d$/.test(status) || status === '204') continue;
        const content = Object.entries(response.content ?? {});
        if (content.length === 0) problems.push(`${at} ${status}: no content`);
        for (const [type, media] of content) if (isBare(media.schema, doc)) problems.push(`${at} ${status} ${type}`);
      }
    }
  }
  return problems;
}
