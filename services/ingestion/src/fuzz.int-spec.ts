import { INestApplication } from '@nestjs/common';
import { EVENT_TYPE_NAMES, exampleEvent } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig } from '@vigil/testing';
import fc from 'fast-check';
import { AppModule } from './app.module';
import { IngestionConfig } from './config';

/** Any JSON-ish value, with keys that have bitten JSON handlers before. */
const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'data', 'id', 'type');
const nastyValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2, '\u0000', '\uD800', 'x'.repeat(5000), '9'.repeat(400)),
  fc.dictionary(fc.oneof(nastyKey, fc.string()), fc.jsonValue()),
);

/** A valid event with one field replaced, removed or added. */
const mutatedEvent = fc
  .tuple(
    fc.constantFrom(...EVENT_TYPE_NAMES),
    fc.constantFrom('id', 'type', 'version', 'occurredAt', 'tenantId', 'correlationId', 'data', 'extra', '__proto__'),
    fc.option(nastyValue, { nil: undefined }),
    fc.option(fc.dictionary(fc.oneof(nastyKey, fc.string({ maxLength: 8 })), nastyValue, { maxKeys: 3 }), { nil: undefined }),
  )
  .map(([type, field, value, dataNoise]) => {
    const event: Record<string, unknown> = exampleEvent(type, { tenantId: 'tenant-a', id: `fz-${Math.random().toString(36).slice(2)}` });
    if (value === undefined) delete event[field];
    else event[field] = value;
    if (dataNoise && typeof event['data'] === 'object' && event['data'] !== null) Object.assign(event['data'] as object, dataNoise);
    return JSON.stringify(event);
  });

/** Bodies that are not even JSON: truncated, binary, deeply nested. */
const brokenBody = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? '').map((s) => s.slice(0, Math.max(0, s.length - 1))),
  fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
);

const body = fc.oneof(
  mutatedEvent,
  nastyValue.map((v) => JSON.stringify(v) ?? 'null'),
  fc.array(fc.oneof(mutatedEvent, nastyValue.map((v) => JSON.stringify(v) ?? 'null')), { maxLength: 5 }).map((events) => `{"events":[${events.join(',')}]}`),
  brokenBody,
);

describe('ingestion fuzzing: no input yields a 5xx (other than 503) or kills the process', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const config = testConfig(IngestionConfig, { INGESTION_API_KEYS: 'tenant-a:key-a', INGESTION_MAX_BODY_BYTES: '65536', LOG_LEVEL: 'error' });
    app = await startTestApp(AppModule.register(config), config);
  });
  afterAll(() => app?.close());

  it('answers every random body with a 2xx/4xx in the documented error format', async () => {
    const url = appUrl(app);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/events', '/v1/events/batch'),
        body,
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded'),
        async (path, text, contentType) => {
          const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': contentType, 'x-api-key': 'key-a' }, body: text });
          const answer = (await response.json()) as { code?: string; statusCode?: number };
          if (response.status >= 500 && response.status !== 503) throw new Error(`${response.status} for ${path} ${contentType} ${text.slice(0, 300)}: ${JSON.stringify(answer)}`);
          if (response.status >= 400) {
            expect(answer.statusCode).toBe(response.status);
            expect(typeof answer.code).toBe('string');
          }
        },
      ),
      { numRuns: 400, seed: Number(process.env['VIGIL_FUZZ_SEED'] ?? 20261123) },
    );
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
  }, 60_000);
});
