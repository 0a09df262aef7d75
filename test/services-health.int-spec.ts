import { INestApplication } from '@nestjs/common';
import { AppModule as AlertingModule } from '../services/alerting/src/app.module';
import { AlertingConfig } from '../services/alerting/src/config';
import { AppModule as IngestionModule } from '../services/ingestion/src/app.module';
import { IngestionConfig } from '../services/ingestion/src/config';
import { AppModule as ReviewAnalysisModule } from '../services/review-analysis/src/app.module';
import { ReviewAnalysisConfig } from '../services/review-analysis/src/config';
import { AppModule as VelocityModule } from '../services/velocity/src/app.module';
import { VelocityConfig } from '../services/velocity/src/config';
import { appUrl, startTestApp, testConfig, waitFor } from '@vigil/testing';

const services = [
  { name: 'ingestion', start: () => { const c = testConfig(IngestionConfig); return startTestApp(IngestionModule.register(c), c); } },
  { name: 'velocity', start: () => { const c = testConfig(VelocityConfig); return startTestApp(VelocityModule.register(c), c); } },
  { name: 'review-analysis', start: () => { const c = testConfig(ReviewAnalysisConfig); return startTestApp(ReviewAnalysisModule.register(c), c); } },
  { name: 'alerting', start: () => { const c = testConfig(AlertingConfig); return startTestApp(AlertingModule.register(c), c); } },
];

describe.each(services)('$name service on the real stack', ({ name, start }) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app?.close());

  it('becomes ready on /health with Kafka and Redis up', async () => {
    // Readiness waits for the service's consumers to join their groups.
    const response = await waitFor('/health to answer 200', async () => {
      const r = await fetch(`${appUrl(app)}/health`);
      return r.status === 200 ? r : undefined;
    });
    const body = (await response.json()) as { status: string; info: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.info['kafka'].status).toBe('up');
    expect(body.info['redis'].status).toBe('up');
  });

  it('answers liveness at once', async () => {
    expect((await fetch(`${appUrl(app)}/health/live`)).status).toBe(200);
  });

  it('serves Prometheus metrics on /metrics', async () => {
    const response = await fetch(`${appUrl(app)}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    expect(text).toContain(`service="${name}"`);
  });
});
