import { DynamicModule, INestApplication } from '@nestjs/common';
import { RuntimeConfig } from '@vigil/config';
import { createServiceApp, provisionTopics } from '@vigil/service-runtime';

/** Boots a service module against the real test stack on a free port. */
export async function startTestApp(module: DynamicModule, config: RuntimeConfig): Promise<INestApplication> {
  await provisionTopics(config);
  const app = await createServiceApp(module);
  await app.listen(0, '127.0.0.1');
  return app;
}

export function appUrl(app: INestApplication): string {
  const address = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}
