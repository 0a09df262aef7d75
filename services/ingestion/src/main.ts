import 'reflect-metadata';
import { loadConfig } from '@vigil/config';
import { createServiceApp, provisionTopics } from '@vigil/service-runtime';
import { AppModule } from './app.module';
import { IngestionConfig } from './config';
import { setupApiDocs } from './http/openapi';

// Like runService, plus the OpenAPI document, which must be mounted before listen().
async function main() {
  const config = loadConfig(IngestionConfig);
  await provisionTopics(config);
  const app = await createServiceApp(AppModule.register(config));
  setupApiDocs(app);
  await app.listen(config.PORT, process.env['HOST'] ?? '0.0.0.0');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
