import 'reflect-metadata';
import { loadConfig } from '@vigil/config';
import { runService } from '@vigil/service-runtime';
import { AppModule } from './app.module';
import { ReviewAnalysisConfig } from './config';

async function main() {
  const config = loadConfig(ReviewAnalysisConfig);
  await runService(AppModule.register(config), config);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
