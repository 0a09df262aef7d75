import { INestApplication } from '@nestjs/common';
import { AppModule as AlertingModule } from '../../services/alerting/src/app.module';
import { AlertingConfig } from '../../services/alerting/src/config';
import { AppModule as IngestionModule } from '../../services/ingestion/src/app.module';
import { IngestionConfig } from '../../services/ingestion/src/config';
import { AppModule as ReviewAnalysisModule } from '../../services/review-analysis/src/app.module';
import { ReviewAnalysisConfig } from '../../services/review-analysis/src/config';
import { AppModule as VelocityModule } from '../../services/velocity/src/app.module';
import { VelocityConfig } from '../../services/velocity/src/config';
import { appUrl, startTestApp, testConfig, uniqueId, waitFor } from '@vigil/testing';

export interface RunningSystem {
  topicPrefix: string;
  tenantId: string;
  apiKey: string;
  ingestionUrl: string;
  apps: INestApplication[];
  stop(): Promise<void>;
}

/**
 * The four services in this process, wired to each other only through the real Kafka and
 * Redis of the test stack, in an environment of their own (topic prefix, Redis key prefix).
 */
export async function startSystem(tenantId: string, options: { instances?: number; alerting?: (velocityUrl: string) => Record<string, string>; shared?: Record<string, string> } = {}): Promise<RunningSystem> {
  const instances = options.instances ?? 1;
  const topicPrefix = uniqueId('e2e');
  const apiKey = uniqueId('key');
  const shared = {
    VIGIL_TOPIC_PREFIX: topicPrefix,
    REDIS_KEY_PREFIX: `vigil-test:${topicPrefix}`,
    INGESTION_API_KEYS: `${tenantId}:${apiKey}`,
    ALERTING_DASHBOARD_TOKEN: 'e2e-token',
    ...options.shared,
  };
  // `instances` of velocity and review-analysis: members of the same consumer groups.
  const configs = [
    [IngestionModule.register, testConfig(IngestionConfig, shared)],
    ...Array.from({ length: instances }, () => [VelocityModule.register, testConfig(VelocityConfig, shared)] as const),
    ...Array.from({ length: instances }, () => [ReviewAnalysisModule.register, testConfig(ReviewAnalysisConfig, shared)] as const),
  ] as const;
  const apps: INestApplication[] = [];
  for (const [register, config] of configs) {
    apps.push(await startTestApp((register as (c: typeof config) => ReturnType<typeof IngestionModule.register>)(config), config));
  }
  // alerting last: it may be pointed at the first velocity instance (lists, rules, entities)
  const alertingConfig = testConfig(AlertingConfig, { ...shared, ...options.alerting?.(appUrl(apps[1])) });
  apps.push(await startTestApp(AlertingModule.register(alertingConfig), alertingConfig));
  for (const app of apps) {
    await waitFor('every service ready', async () => (await fetch(`${appUrl(app)}/health`)).status === 200, 60_000);
  }
  return {
    topicPrefix,
    tenantId,
    apiKey,
    ingestionUrl: appUrl(apps[0]),
    apps,
    stop: async () => {
      for (const app of apps.reverse()) await app.close();
    },
  };
}
