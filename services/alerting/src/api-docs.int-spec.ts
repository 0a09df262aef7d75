import { INestApplication } from '@nestjs/common';
import { appUrl, controllerRoutes, startTestApp, documentedOperations, OpenApiDocument, testConfig, undescribedPayloads } from '@vigil/testing';
import { ALERTING_API_DOCS } from './api-docs';
import { AppModule } from './app.module';
import { AlertingConfig } from './config';

describe('alerting OpenAPI document', () => {
  let app: INestApplication;
  let doc: OpenApiDocument & { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: unknown }[] }>> };
  beforeAll(async () => {
    const config = testConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: 'docs-token', LOG_LEVEL: 'error' });
    app = await startTestApp(AppModule.register(config), config, ALERTING_API_DOCS);
    const response = await fetch(`${appUrl(app)}/docs-json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as typeof doc;
  });
  afterAll(() => app?.close());

  it('lists every controller route (alerts, decisions, snoozes, stats, the feed, the dashboard, health, metrics) and serves /docs', async () => {
    const routes = controllerRoutes(app);
    expect(routes).toEqual(expect.arrayContaining(['GET /v1/alerts', 'POST /v1/alerts/{id}/decisions', 'POST /v1/snoozes', 'GET /v1/stats', 'GET /v1/alerts/stream', 'GET /health', 'GET /metrics',
      'GET /v1/alerts/search', 'GET /v1/alerts/export', 'POST /v1/alerts/next', 'POST /v1/alerts/decisions', 'POST /v1/alerts/{id}/assignment', 'POST /v1/alerts/{id}/assignment/delete', 'POST /v1/alerts/{id}/comments',
      'GET /v1/snoozes', 'POST /v1/snoozes/delete', 'GET /v1/lists/entries', 'POST /v1/lists/entries', 'POST /v1/lists/entries/delete', 'GET /v1/lists/export', 'POST /v1/lists/import', 'GET /v1/lists/changes', 'GET /v1/rules', 'POST /v1/rules/preview', 'POST /v1/rules/changes', 'GET /v1/entities/{entityType}/{entityId}']));
    expect(documentedOperations(doc)).toEqual(routes);
    expect((await fetch(`${appUrl(app)}/docs`)).status).toBe(200);
  });

  it('describes every request body and 2xx response with a schema of its fields', () => {
    expect(undescribedPayloads(doc)).toEqual([]);
    // the request DTOs come from their class-validator decorators, nested classes linked
    expect(doc.paths['/v1/snoozes']['post']).toMatchObject({ requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/SnoozeRequest' } } } } });
    expect(doc.components?.schemas?.['SnoozeRequest']).toMatchObject({ required: ['ruleId', 'until', 'reason'], properties: { subject: { $ref: '#/components/schemas/Subject' } } });
    expect(doc.components?.schemas?.['DecisionRequest']).toMatchObject({ required: ['decision'], properties: { decision: { enum: ['acknowledged', 'confirmed_fraud', 'false_positive'] } } });
    expect(doc.paths['/v1/alerts']['get'].parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'severity', in: 'query', schema: expect.objectContaining({ enum: ['low', 'medium', 'high', 'critical'] }) })]));
    expect(doc.paths['/v1/alerts/search']['get'].parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cursor', in: 'query' }), expect.objectContaining({ name: 'entityType', in: 'query' })]));
    expect(doc.components?.schemas?.['BulkDecisionRequest']).toMatchObject({ required: ['alertIds', 'decision'], properties: { decision: { enum: ['acknowledged', 'confirmed_fraud', 'false_positive'] } } });
    expect(doc.components?.schemas?.['AlertSearchPage']).toMatchObject({ properties: { alerts: { items: { $ref: '#/components/schemas/AlertView' } } } });
    expect(doc.components?.schemas?.['AlertView']).toMatchObject({ allOf: [{ $ref: '#/components/schemas/FraudAlert' }, expect.anything()] });
    // the list routes take velocity's validation (the same DTOs) plus the tenant, and answer velocity's bodies
    expect(doc.components?.schemas?.['PutListEntryRequest']).toMatchObject({ required: expect.arrayContaining(['list', 'entityType', 'entityId', 'reason']), properties: { list: { enum: ['allow', 'deny'] }, ttlDays: { maximum: 3650 } } });
    expect(doc.components?.schemas?.['ListImportRequest']).toMatchObject({ required: expect.arrayContaining(['list', 'csv']), properties: { csv: { maxLength: 90_000 } } });
    expect(doc.paths['/v1/lists/entries']['get'].responses['200']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ListPage' } } } });
    expect(doc.components?.schemas?.['RuleApplyRequest']).toMatchObject({ required: expect.arrayContaining(['ruleId', 'reason', 'expectedVersion']) });
    expect(doc.paths['/v1/rules/preview']['post'].responses['200']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/RulePreview' } } } });
    expect(doc.components?.schemas?.['SnoozeList']).toMatchObject({ required: ['snoozes', 'changes'] });
    // config and internal classes of class-validator's storage are not API
    expect(Object.keys(doc.components?.schemas ?? {})).not.toContain('AlertingConfig');
  });

  it('finds what it looks for: a bare object body and a 200 without content are reported', () => {
    const bare: OpenApiDocument = {
      paths: { '/x': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Empty' } } } }, responses: { '200': {}, '204': {} } } } },
      components: { schemas: { Empty: { type: 'object', properties: {} } } },
    };
    expect(undescribedPayloads(bare)).toEqual(['POST /x request body application/json', 'POST /x 200: no content']);
  });
});
