import { DynamicModule, INestApplication } from '@nestjs/common';
import { RuntimeConfig } from '@vigil/config';
import { ApiDocsOptions, createServiceApp, provisionTopics, setupApiDocs } from '@vigil/service-runtime';

/** Boots a service module against the real test stack on a free port. */
/** Boots a service module on a free port as main.ts does (topics provisioned; the OpenAPI document mounted when given). */
export async function startTestApp(module: DynamicModule, config: RuntimeConfig, apiDocs?: ApiDocsOptions): Promise<INestApplication> {
  await provisionTopics(config);
  const app = await createServiceApp(module);
  if (apiDocs) setupApiDocs(app, apiDocs);
  await app.listen(0, '127.0.0.1');
  return app;
}

export function appUrl(app: INestApplication): string {
  const address = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}
