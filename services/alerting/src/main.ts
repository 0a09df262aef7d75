import 'reflect-metadata';
import { loadConfig } from '@vigil/config';
import { runService } from '@vigil/service-runtime';
import { ALERTING_API_DOCS } from './api-docs';
import { AppModule } from './app.module';
import { AlertingConfig } from './config';

async function main() {
  const config = loadConfig(AlertingConfig);
  await runService(AppModule.register(config), config, { apiDocs: ALERTING_API_DOCS });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
