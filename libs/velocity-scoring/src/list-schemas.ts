import { JsonSchema } from '@vigil/contracts';
import { ImportResult, LIST_ENTITY_TYPES, LIST_KINDS, ListChange, ListEntry, ListPage } from './list-entry';

/*
 * OpenAPI schemas of the list answers, for velocity's lists API and alerting's routes in front of
 * it (the same bodies). Each property map is typed by its interface: a field added or removed
 * there fails the type check until the schema follows.
 */
const listEntry: { [K in keyof ListEntry]-?: JsonSchema } = {
  list: { type: 'string', enum: [...LIST_KINDS] },
  reason: { type: 'string' },
  rules: { type: 'array', items: { type: 'string' }, description: 'allow: the rule ids it suppresses ("*" = all); deny: unused' },
  addedAt: { type: 'string', format: 'date-time' },
  expiresAt: { type: 'string', format: 'date-time' },
  addedBy: { type: 'string', description: 'who put it there: the analyst (X-Vigil-Actor) or "admin-key"' },
};
const requiredEntry = Object.keys(listEntry).filter((k) => k !== 'addedBy');

const listChange: { [K in keyof ListChange]-?: JsonSchema } = {
  at: { type: 'string', format: 'date-time' },
  actor: { type: 'string' },
  action: { type: 'string', enum: ['put', 'remove', 'import'] },
  list: { type: 'string', enum: [...LIST_KINDS] },
  entityType: { type: 'string', enum: [...LIST_ENTITY_TYPES], description: 'absent for an import' },
  entityId: { type: 'string', description: 'absent for an import' },
  reason: { type: 'string' },
  count: { type: 'integer', minimum: 0, description: 'import: entries written' },
};

const listed: JsonSchema = {
  type: 'object',
  required: ['entityType', 'entityId', ...requiredEntry],
  properties: { entityType: { type: 'string', enum: [...LIST_ENTITY_TYPES] }, entityId: { type: 'string' }, ...listEntry },
};
const listPage: { [K in keyof ListPage]-?: JsonSchema } = {
  entries: { type: 'array', items: listed },
  total: { type: 'integer', minimum: 0, description: 'entries of the tenant (both lists, not expired)' },
  next: { type: 'integer', minimum: 0, description: 'offset of the next page; absent at the end' },
};
const listImport: { [K in keyof ImportResult]-?: JsonSchema } = {
  imported: { type: 'integer', minimum: 0 },
  problems: { type: 'array', items: { type: 'object', required: ['line', 'reason'], properties: { line: { type: 'integer', description: '1 = the header row' }, reason: { type: 'string' } } } },
};


const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', required: Object.keys(properties), properties });

export const LIST_API_SCHEMAS: Record<string, JsonSchema> = {
  ListEntry: { type: 'object', required: requiredEntry, properties: listEntry },
  ListPage: { type: 'object', required: ['entries', 'total'], properties: listPage },
  ListImport: object(listImport),
  ListChanges: object({ changes: { type: 'array', items: { type: 'object', required: ['at', 'actor', 'action', 'list', 'reason'], properties: listChange } } }),
};
