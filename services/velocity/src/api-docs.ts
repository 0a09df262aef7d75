import { JsonSchema } from '@vigil/contracts';
import { ApiDocsOptions, HTTP_ERROR_SCHEMA } from '@vigil/service-runtime';
import { LIST_ENTITY_TYPES, LIST_KINDS, ListEntry } from '@vigil/velocity-scoring';
import type { ImportResult, ListChange, ListPage } from './lists/lists.service';
import type { SellerBanResult } from './sellers/seller-ban.controller';

/*
 * Response schemas of the velocity API. The answers are TypeScript interfaces (no class to
 * generate from); each property map is typed by its interface, so a field added or removed there
 * fails the type check until the schema follows.
 */
const listEntry: { [K in keyof ListEntry]-?: JsonSchema } = {
  list: { type: 'string', enum: [...LIST_KINDS] },
  reason: { type: 'string' },
  rules: { type: 'array', items: { type: 'string' }, description: 'allow: the rule ids it suppresses ("*" = all); deny: unused' },
  addedAt: { type: 'string', format: 'date-time' },
  expiresAt: { type: 'string', format: 'date-time' },
  addedBy: { type: 'string', description: 'who put it there: the analyst (X-Vigil-Actor) or "admin-key"' },
};
const { addedBy: _optional, ...requiredEntry } = listEntry;

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
  required: ['entityType', 'entityId', ...Object.keys(requiredEntry)],
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

const sellerBan: { [K in keyof SellerBanResult]-?: JsonSchema } = {
  sellerId: { type: 'string' },
  flaggedLinks: { type: 'integer', minimum: 0, description: 'devices, IPs, payout accounts and contact details of the seller now flagged' },
};

const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', required: Object.keys(properties), properties });

export const VELOCITY_API_DOCS: ApiDocsOptions = {
  title: 'Vigil velocity API',
  description: "Allow and deny lists and seller bans of a tenant (the tenant is the admin key's, VELOCITY_ADMIN_KEYS). See services/velocity/README.md.",
  security: { adminKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'a tenant admin key (or Authorization: Bearer <key>)' } },
  schemas: {
    ListEntry: { type: 'object', required: Object.keys(requiredEntry), properties: listEntry },
    ListPage: { type: 'object', required: ['entries', 'total'], properties: listPage },
    ListImport: object(listImport),
    ListChanges: object({ changes: { type: 'array', items: { type: 'object', required: ['at', 'actor', 'action', 'list', 'reason'], properties: listChange } } }), SellerBan: object(sellerBan),
    HttpError: HTTP_ERROR_SCHEMA,
  },
};
