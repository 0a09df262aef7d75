import 'reflect-metadata';
import { loadConfig } from '@vigil/config';
import { runService } from '@vigil/service-runtime';
import { VELOCITY_API_DOCS } from './api-docs';
import { AppModule } from './app.module';
import { VelocityConfig } from './config';

async function main() {
  const config = loadConfig(VelocityConfig);
  await runService(AppModule.register(config), config, { apiDocs: VELOCITY_API_DOCS });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
