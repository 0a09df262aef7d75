import 'reflect-metadata';
import { loadConfig } from '@vigil/config';
import { runService } from '@vigil/service-runtime';
import { AppModule } from './app.module';
import { IngestionConfig } from './config';
import { INGESTION_API_DOCS } from './http/openapi';

async function main() {
  const config = loadConfig(IngestionConfig);
  await runService(AppModule.register(config), config, { apiDocs: INGESTION_API_DOCS });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
