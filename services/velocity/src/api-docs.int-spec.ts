import { INestApplication } from '@nestjs/common';
import { appUrl, controllerRoutes, startTestApp, documentedOperations, OpenApiDocument, testConfig, undescribedPayloads } from '@vigil/testing';
import { VELOCITY_API_DOCS } from './api-docs';
import { AppModule } from './app.module';
import { VelocityConfig } from './config';

describe('velocity OpenAPI document', () => {
  let app: INestApplication;
  let doc: OpenApiDocument & { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: unknown }[] }>> };
  beforeAll(async () => {
    const config = testConfig(VelocityConfig, { VELOCITY_ADMIN_KEYS: 'tenant-a:admin-a', LOG_LEVEL: 'error' });
    app = await startTestApp(AppModule.register(config), config, VELOCITY_API_DOCS);
    const response = await fetch(`${appUrl(app)}/docs-json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as typeof doc;
  });
  afterAll(() => app?.close());

  it('lists every controller route (lists, seller bans, health, metrics) and serves /docs', async () => {
    const routes = controllerRoutes(app);
    expect(routes).toEqual(
      expect.arrayContaining(['PUT /v1/lists/{list}/{entityType}/{entityId}', 'GET /v1/lists/{list}/{entityType}/{entityId}', 'DELETE /v1/lists/{list}/{entityType}/{entityId}', 'POST /v1/sellers/{id}/ban', 'GET /health', 'GET /v1/lists', 'GET /v1/lists/export', 'POST /v1/lists/import', 'GET /v1/lists/changes', 'GET /v1/rules', 'POST /v1/rules/{id}/preview', 'POST /v1/rules/{id}/changes', 'GET /v1/entities/{entityType}/{entityId}']),
    );
    expect(documentedOperations(doc)).toEqual(routes);
    expect((await fetch(`${appUrl(app)}/docs`)).status).toBe(200);
  });

  it('describes every request body and 2xx response with a schema of its fields, and the path parameters', () => {
    expect(undescribedPayloads(doc)).toEqual([]);
    const put = doc.paths['/v1/lists/{list}/{entityType}/{entityId}']['put'];
    expect(put).toMatchObject({ requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/PutListEntryDto' } } } } });
    expect(doc.components?.schemas?.['PutListEntryDto']).toMatchObject({ required: ['reason'], properties: { ttlDays: { type: 'integer', maximum: 3650 } } });
    expect(put.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['header:x-vigil-actor', 'path:entityId', 'path:entityType', 'path:list']);
    expect(put.parameters?.find((p) => p.name === 'list')?.schema).toMatchObject({ enum: ['allow', 'deny'] });
    expect(doc.components?.schemas?.['ApplyRuleChangeRequest']).toMatchObject({ required: expect.arrayContaining(['reason', 'expectedVersion']), properties: { mode: { enum: ['enforce', 'shadow'] }, thresholds: { items: { $ref: '#/components/schemas/ThresholdChange' } } } });
    expect(doc.components?.schemas?.['RulePreview']).toMatchObject({ required: expect.arrayContaining(['current', 'proposed', 'newlyFlagged', 'noLongerFlagged']) });
    expect(doc.components?.schemas?.['BanSellerRequest']).toMatchObject({ required: ['reason'] });
  });
});
