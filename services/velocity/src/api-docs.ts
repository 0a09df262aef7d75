import { JsonSchema } from '@vigil/contracts';
import { ApiDocsOptions, HTTP_ERROR_SCHEMA } from '@vigil/service-runtime';
import { ENTITY_API_SCHEMAS, LIST_API_SCHEMAS, RULE_API_SCHEMAS } from '@vigil/velocity-scoring';
import type { SellerBanResult } from './sellers/seller-ban.controller';

/*
 * Response schemas of the velocity API. The answers are TypeScript interfaces (no class to
 * generate from); each property map is typed by its interface, so a field added or removed there
 * fails the type check until the schema follows.
 */
const sellerBan: { [K in keyof SellerBanResult]-?: JsonSchema } = {
  sellerId: { type: 'string' },
  flaggedLinks: { type: 'integer', minimum: 0, description: 'devices, IPs, payout accounts and contact details of the seller now flagged' },
};

const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', required: Object.keys(properties), properties });

export const VELOCITY_API_DOCS: ApiDocsOptions = {
  title: 'Vigil velocity API',
  description: "Allow and deny lists, rule changes (with their backtest), entity state (read only) and seller bans of a tenant (the tenant is the admin key's, VELOCITY_ADMIN_KEYS). See services/velocity/README.md.",
  security: { adminKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'a tenant admin key (or Authorization: Bearer <key>)' } },
  schemas: {
    ...LIST_API_SCHEMAS,
    ...RULE_API_SCHEMAS,
    ...ENTITY_API_SCHEMAS,
    SellerBan: object(sellerBan),
    HttpError: HTTP_ERROR_SCHEMA,
  },
};
