import { AlertDecision, FraudAlert, JsonSchema } from '@vigil/contracts';
import { ApiDocsOptions, HTTP_ERROR_SCHEMA, schemaRef } from '@vigil/service-runtime';
import { ENTITY_API_SCHEMAS, LIST_API_SCHEMAS, RULE_API_SCHEMAS } from '@vigil/velocity-scoring';
import type { EntityPage } from './entities/entities.controller';
import type { RuleOutcomes } from './rules/rules.controller';
import type { AlertView } from './alerts/alert-document';
import { EXPORT_COLUMNS } from './alerts/alerts.controller';
import type { AlertFeed } from './alerts/alert-feed';
import type { AlertStore, SnoozeChange, SnoozeRecord } from './alerts/alert-store';
import { TOKEN_COOKIE } from './users/analyst-auth.guard';
import { AnalystUser, ROLES } from './users/analyst-users';

/*
 * Response schemas of the analysts' API. The answers are TypeScript interfaces (no class to
 * generate from); each property map is typed by its interface, so a field added or removed there
 * fails the type check until the schema follows.
 */

const dateTime: JsonSchema = { type: 'string', format: 'date-time' };

const alertViewExtras: { [K in Exclude<keyof AlertView, keyof FraudAlert>]-?: JsonSchema } = {
  contributions: { type: 'object', additionalProperties: { type: 'number', minimum: 0, maximum: 1 }, description: "each rule's largest contribution (0..1) to the score" },
  decisions: { type: 'array', items: schemaRef(AlertDecision) },
  createdAt: dateTime,
  firstDecisionAt: dateTime,
  assignee: { type: 'string', description: 'the analyst holding the alert (absent: unassigned)' },
  assignedAt: dateTime,
};

const analystUser: { [K in keyof AnalystUser]-?: JsonSchema } = {
  name: { type: 'string', description: 'decisions are recorded under this name' },
  role: { type: 'string', enum: [...ROLES] },
  tenants: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string', enum: ['*'] }], description: "tenants whose alerts the user sees; '*' = all" },
};

type Rate = ReturnType<AlertFeed['rates']>[number];
type RuleStats = Awaited<ReturnType<AlertStore['ruleStats']>>[string];
const rate: { [K in keyof Rate]-?: JsonSchema } = { minute: dateTime, signals: { type: 'integer' }, alerts: { type: 'integer' } };
const ruleStats: { [K in keyof RuleStats]-?: JsonSchema } = { confirmed_fraud: { type: 'integer' }, false_positive: { type: 'integer' }, falsePositiveRate: { type: 'number', minimum: 0, maximum: 1 } };

const subject: JsonSchema = { type: 'object', required: ['type', 'id', 'tenantId'], properties: { type: { type: 'string' }, id: { type: 'string' }, tenantId: { type: 'string' } } };
const snoozeRecord: { [K in keyof SnoozeRecord]-?: JsonSchema } = {
  ruleId: { type: 'string' },
  subject: { ...subject, description: 'absent: the rule is muted for every subject' },
  until: dateTime,
  reason: { type: 'string' },
  actor: { type: 'string', description: 'the admin who set it' },
  createdAt: dateTime,
};
const snoozeChange: { [K in keyof SnoozeChange]-?: JsonSchema } = {
  action: { type: 'string', enum: ['snoozed', 'lifted'] },
  at: dateTime,
  actor: { type: 'string' },
  reason: { type: 'string' },
  ruleId: { type: 'string' },
  subject,
  until: dateTime,
};

const ruleOutcomes: { [K in keyof RuleOutcomes]-?: JsonSchema } = {
  alerts24h: { type: 'integer', minimum: 0, description: 'alerts of the tenant with this rule first seen in the 24 h (event time) up to the tenant’s newest alert (alertsUntil)' },
  confirmedFraud: { type: 'integer', minimum: 0 },
  falsePositive: { type: 'integer', minimum: 0 },
  falsePositiveRate: { type: 'number', minimum: 0, maximum: 1, description: 'falsePositive / (falsePositive + confirmedFraud); 0 without verdicts' },
};

const entityPage: { [K in keyof EntityPage]-?: JsonSchema } = {
  tenantId: { type: 'string' },
  entityType: { type: 'string' },
  entityId: { type: 'string' },
  state: { $ref: '#/components/schemas/EntityView' },
  alerts: { type: 'array', items: { $ref: '#/components/schemas/AlertView' }, description: 'first seen newest first, at most 50 (signals with triggering events and evidence)' },
  moreAlerts: { type: 'boolean', description: 'the search by entityType and entityId pages through the rest' },
};

const object = (properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema => ({
  type: 'object',
  required: Object.keys(properties).filter((p) => !optional.includes(p)),
  properties,
});

export const ALERTING_SCHEMAS: Record<string, JsonSchema> = {
  AlertView: { allOf: [schemaRef(FraudAlert), object(alertViewExtras, ['firstDecisionAt', 'assignee', 'assignedAt'])], description: 'an alert as the read model holds it: the published FraudAlert plus its lifecycle' },
  AlertList: object({ alerts: { type: 'array', items: schemaRef('AlertView') } }),
  AnalystUser: object(analystUser),
  AlertStats: object({
    rates: { type: 'array', items: object(rate), description: 'signals and alerts per minute over the last hour (the whole instance; empty unless the caller sees all tenants)' },
    rules: { type: 'object', additionalProperties: object(ruleStats), description: 'decision counts per rule over the caller’s tenants' },
  }),
  Snooze: object({ ruleId: { type: 'string' }, until: dateTime, scope: { type: 'string', description: "'<subject type>:<subject id>' or 'all subjects'" } }),
  SnoozeRemoved: object({ removed: { type: 'boolean' } }),
  SnoozeList: object({
    snoozes: { type: 'array', items: object(snoozeRecord, ['subject']), description: 'in force, soonest end first' },
    changes: { type: 'array', items: object(snoozeChange, ['subject', 'until']), description: 'the newest 50 snoozes set and lifted' },
  }),
  ...LIST_API_SCHEMAS,
  ...RULE_API_SCHEMAS,
  ...ENTITY_API_SCHEMAS,
  EntityPage: { type: 'object', required: ['tenantId', 'entityType', 'entityId', 'alerts', 'moreAlerts'], properties: entityPage },
  RulePage: object({
    tenantId: { type: 'string' },
    alertsUntil: { ...dateTime, description: 'first-seen time of the tenant’s newest alert, the end of the alerts24h window (absent: no alert)' },
    rules: { type: 'array', items: { allOf: [schemaRef('RuleView'), object(ruleOutcomes)] } },
    changes: { type: 'array', items: schemaRef('RuleChange'), description: 'the tenant’s newest 50 rule changes' },
  }, ['alertsUntil']),
  ListEntryRemoved: object({ removed: { type: 'boolean', enum: [true] } }),
  AlertSearchPage: object({ alerts: { type: 'array', items: schemaRef('AlertView') }, next: { type: 'string', description: 'cursor of the next page (absent: the end)' } }, ['next']),
  AlertExport: {
    oneOf: [
      { type: 'string', description: `CSV: a header row (${EXPORT_COLUMNS.join(',')}), then one row per alert` },
      object({ rows: { type: 'array', items: object(Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, { type: ['string', 'number'] }]))) }, truncated: { type: 'boolean' } }),
    ],
  },
  NextAssignment: object({ alert: schemaRef('AlertView'), decision: schemaRef(AlertDecision) }),
  DecisionList: object({ decisions: { type: 'array', items: schemaRef(AlertDecision) } }),
  HttpError: HTTP_ERROR_SCHEMA,
};

export const ALERTING_API_DOCS: ApiDocsOptions = {
  title: 'Vigil alerting API',
  description: "The analysts' API behind the dashboard: alerts, decisions, snoozes, allow and deny lists and rule changes with their backtest (forwarded to velocity), stats, the live feed. Every /v1 route needs an analyst token; the role gates writes (analyst: decisions and lists, admin: snoozes and rule changes). See services/alerting/README.md.",
  security: {
    bearer: { type: 'http', scheme: 'bearer', description: 'an analyst token (ALERTING_DASHBOARD_TOKEN or one of the users file)' },
    session: { type: 'apiKey', in: 'cookie', name: TOKEN_COOKIE, description: 'the HttpOnly session cookie set by POST /v1/session' },
  },
  schemas: ALERTING_SCHEMAS,
};
