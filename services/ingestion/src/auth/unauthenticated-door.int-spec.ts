import { INestApplication } from '@nestjs/common';
import { exampleEvent } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig, uniqueId } from '@vigil/testing';
import { AppModule } from '../app.module';
import { IngestionConfig } from '../config';

/** Requests without a known key are refused before their body is read, and rate-limited per address. */
describe('ingestion door for unauthenticated requests (real stack)', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const config = testConfig(IngestionConfig, {
      INGESTION_API_KEYS: 'tenant-door:door-key',
      INGESTION_MAX_BODY_BYTES: '65536',
      INGESTION_UNAUTHENTICATED_LIMIT: '3',
      INGESTION_RATE_WINDOW_MS: '60000',
    });
    app = await startTestApp(AppModule.register(config), config);
    url = appUrl(app);
  });
  afterAll(() => app?.close());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers 401 without reading the body, 429 after the limit, and still admits a known key', async () => {
    // 2 MB, far beyond INGESTION_MAX_BODY_BYTES: a parsed body would be a 413
    const huge = await post(`{"x":"${'a'.repeat(2_000_000)}"}`, {});
    expect(huge.status).toBe(401);
    expect(await huge.json()).toMatchObject({ code: 'unauthorized' });
    expect((await post('{}', { 'x-api-key': 'guessed-1' })).status).toBe(401);
    expect((await post('{}', { authorization: 'Bearer guessed-2' })).status).toBe(401);
    const limited = await post('{}', { 'x-api-key': 'guessed-3' });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/too many unauthenticated requests/) });

    const event = exampleEvent('account.login', { id: uniqueId('evt'), tenantId: 'tenant-door' });
    expect((await post(JSON.stringify(event), { 'x-api-key': 'door-key' })).status).toBe(202);
    // with a known key, a too large body is still a 413 (the parser's limit)
    expect((await post(`{"x":"${'a'.repeat(100_000)}"}`, { 'x-api-key': 'door-key' })).status).toBe(413);
  });
});
