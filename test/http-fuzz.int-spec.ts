/*
 * Every HTTP endpoint of every service under random input (issue 14): 10,000 requests in all
 * (VIGIL_FUZZ_RUNS), spread over the routes of ingestion, velocity, alerting and review-analysis,
 * with a valid credential, a forged one or none, random path segments, query strings, bodies and
 * content types. No answer may be a 5xx other than 503, and every service must still be alive.
 */
import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { EVENT_TYPE_NAMES, exampleEvent } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig } from '@vigil/testing';
import { AppModule as AlertingModule } from '../services/alerting/src/app.module';
import { AlertingConfig } from '../services/alerting/src/config';
import { AppModule as IngestionModule } from '../services/ingestion/src/app.module';
import { IngestionConfig } from '../services/ingestion/src/config';
import { AppModule as ReviewModule } from '../services/review-analysis/src/app.module';
import { ReviewAnalysisConfig } from '../services/review-analysis/src/config';
import { AppModule as VelocityModule } from '../services/velocity/src/app.module';
import { VelocityConfig } from '../services/velocity/src/config';

const RUNS = Number(process.env['VIGIL_FUZZ_RUNS'] ?? 10_000);
type Service = 'ingestion' | 'velocity' | 'alerting' | 'review';
interface Route {
  service: Service;
  method: string;
  path: (segment: string) => string;
}

const ROUTES: Route[] = [
  { service: 'ingestion', method: 'POST', path: () => '/v1/events' },
  { service: 'ingestion', method: 'POST', path: () => '/v1/events/batch' },
  { service: 'ingestion', method: 'GET', path: () => '/health' },
  { service: 'velocity', method: 'PUT', path: (s) => `/v1/lists/${s}/card/${s}` },
  { service: 'velocity', method: 'PUT', path: (s) => `/v1/lists/deny/device/${s}` },
  { service: 'velocity', method: 'GET', path: (s) => `/v1/lists/allow/${s}/x` },
  { service: 'velocity', method: 'DELETE', path: (s) => `/v1/lists/deny/account/${s}` },
  { service: 'velocity', method: 'POST', path: (s) => `/v1/sellers/${s}/ban` },
  { service: 'alerting', method: 'GET', path: (s) => `/v1/alerts?severity=${s}&limit=${s}&tenantId=${s}` },
  { service: 'alerting', method: 'GET', path: (s) => `/v1/alerts/${s}` },
  { service: 'alerting', method: 'POST', path: (s) => `/v1/alerts/${s}/decisions` },
  { service: 'alerting', method: 'GET', path: () => '/v1/stats' },
  { service: 'alerting', method: 'GET', path: () => '/v1/me' },
  { service: 'alerting', method: 'POST', path: () => '/v1/snoozes' },
  { service: 'alerting', method: 'POST', path: () => '/v1/snoozes/delete' },
  { service: 'alerting', method: 'POST', path: () => '/v1/session' },
  { service: 'alerting', method: 'POST', path: () => '/v1/session/delete' },
  { service: 'alerting', method: 'GET', path: () => '/dashboard' },
  { service: 'review', method: 'GET', path: (s) => `/health/${s}` },
  { service: 'review', method: 'POST', path: (s) => `/${s}` },
];

const CREDENTIALS: Record<Service, string> = { ingestion: 'fuzz-ingest-key', velocity: 'fuzz-admin-key', alerting: 'fuzz-dashboard-token', review: 'none' };

const segment = fc.oneof(
  fc.constantFrom('allow', 'deny', 'high', '10', '-1', 'al-1', '__proto__', 'constructor', '%E0%A4%A', '%00', '..%2F..', 'x'.repeat(300), ''),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(1e308, -0, '\u0000', '\uD800', 'x'.repeat(5000)),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'token', 'reason', 'decision', 'ruleId', 'until', 'subject', 'tenantId', 'events', 'by'), fc.jsonValue()),
);
const body = fc.oneof(
  nasty.map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom(...EVENT_TYPE_NAMES).map((t) => JSON.stringify({ events: [exampleEvent(t, { tenantId: 'fuzz', id: `fz-${Math.random()}` })] })),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: 1, max: 3000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
);
const credential = fc.constantFrom<'valid' | 'forged' | 'none' | 'cookie'>('valid', 'forged', 'none', 'cookie');

describe('HTTP fuzzing of every service: no 5xx but 503, no crash', () => {
  const apps: Partial<Record<Service, INestApplication>> = {};

  beforeAll(async () => {
    const ingestion = testConfig(IngestionConfig, { INGESTION_API_KEYS: `fuzz:${CREDENTIALS.ingestion}`, INGESTION_MAX_BODY_BYTES: '65536', INGESTION_RATE_LIMIT: '100000000', INGESTION_UNAUTHENTICATED_LIMIT: '100000000', LOG_LEVEL: 'error' });
    const velocity = testConfig(VelocityConfig, { VELOCITY_ADMIN_KEYS: `fuzz:${CREDENTIALS.velocity}`, LOG_LEVEL: 'error' });
    const alerting = testConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: CREDENTIALS.alerting, LOG_LEVEL: 'error' });
    const review = testConfig(ReviewAnalysisConfig, { LOG_LEVEL: 'error' });
    apps.ingestion = await startTestApp(IngestionModule.register(ingestion), ingestion);
    apps.velocity = await startTestApp(VelocityModule.register(velocity), velocity);
    apps.alerting = await startTestApp(AlertingModule.register(alerting), alerting);
    apps.review = await startTestApp(ReviewModule.register(review), review);
  });
  afterAll(async () => {
    for (const app of Object.values(apps)) await app?.close();
  });

  it(`answers ${RUNS} random requests with anything but a 5xx other than 503`, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        segment,
        body,
        credential,
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (route, s, text, cred, contentType) => {
          const app = apps[route.service]!;
          const url = new URL(appUrl(app));
          const key = cred === 'valid' ? CREDENTIALS[route.service] : cred === 'forged' ? 'forged-credential' : undefined;
          const headers: Record<string, string> = { 'content-type': contentType, origin: url.origin };
          if (key && cred !== 'cookie') {
            headers['x-api-key'] = key;
            headers['authorization'] = `Bearer ${key}`;
          }
          if (cred === 'cookie') headers['cookie'] = `vigil_dashboard_token=${encodeURIComponent(CREDENTIALS.alerting)}`;
          const response = await fetch(`${url.origin}${route.path(s)}`, {
            method: route.method,
            headers,
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: text }),
          });
          await response.arrayBuffer();
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          if (response.status >= 500 && response.status !== 503) {
            throw new Error(`${response.status} for ${route.method} ${route.path(s)} (${cred}, ${contentType}): ${text.slice(0, 200)}`);
          }
        },
      ),
      { numRuns: RUNS, seed: Number(process.env['VIGIL_FUZZ_SEED'] ?? 20261203) },
    );
    console.log(`http fuzz: ${RUNS} requests, statuses ${JSON.stringify(Object.fromEntries([...seen].sort((a, b) => a[0] - b[0])))}`);
    // the runs reached the routes: authenticated successes and refusals both occurred
    expect([...seen.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect(seen.get(401) ?? 0).toBeGreaterThan(0);
    expect(seen.get(400) ?? 0).toBeGreaterThan(0);
    for (const app of Object.values(apps)) expect((await fetch(`${appUrl(app!)}/health/live`)).status).toBe(200);
  }, 600_000);
});
