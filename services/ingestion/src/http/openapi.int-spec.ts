import { INestApplication } from '@nestjs/common';
import { EVENT_TYPE_NAMES } from '@vigil/contracts';
import { appUrl, controllerRoutes, startTestApp, documentedOperations, OpenApiDocument, testConfig, undescribedPayloads } from '@vigil/testing';
import { AppModule } from '../app.module';
import { IngestionConfig } from '../config';
import { INGESTION_API_DOCS } from './openapi';

describe('OpenAPI document', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const config = testConfig(IngestionConfig, { INGESTION_API_KEYS: 'tenant-a:key-a' });
    app = await startTestApp(AppModule.register(config), config, INGESTION_API_DOCS);
  });
  afterAll(() => app?.close());

  it('serves /docs-json with both endpoints, the error format and an example per event type', async () => {
    const response = await fetch(`${appUrl(app)}/docs-json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { examples?: Record<string, unknown> }> }; responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/events/batch']));
    expect(Object.keys(doc.paths['/v1/events'].post.requestBody.content['application/json'].examples ?? {})).toEqual(EVENT_TYPE_NAMES);
    expect(Object.keys(doc.paths['/v1/events'].post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '413', '429', '503']));
    expect(doc.components.schemas).toHaveProperty('ApiError');
    expect(doc.components.schemas).toHaveProperty('OrderPlaced.properties.amount.$ref', '#/components/schemas/Money');
    expect((await fetch(`${appUrl(app)}/docs`)).status).toBe(200);
  });

  it('lists every controller route and describes every request body and 2xx response', async () => {
    const doc = (await (await fetch(`${appUrl(app)}/docs-json`)).json()) as OpenApiDocument;
    expect(documentedOperations(doc)).toEqual(controllerRoutes(app));
    expect(undescribedPayloads(doc)).toEqual([]);
  });
});
