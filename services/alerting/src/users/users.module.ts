import { Global, Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { AlertingConfig } from '../config';
import { ANALYST_DIRECTORY, AnalystAuthGuard } from './analyst-auth.guard';
import { AnalystDirectory, readUsersFile } from './analyst-users';

/** The analysts (ALERTING_USERS_FILE, plus ALERTING_DASHBOARD_TOKEN as the shared admin) and the guard of the API. */
@Global()
@Module({
  providers: [
    {
      provide: ANALYST_DIRECTORY,
      inject: [SERVICE_CONFIG],
      useFactory: (config: AlertingConfig) => new AnalystDirectory(readUsersFile(config.ALERTING_USERS_FILE), config.ALERTING_DASHBOARD_TOKEN),
    },
    AnalystAuthGuard,
  ],
  exports: [ANALYST_DIRECTORY, AnalystAuthGuard],
})
export class UsersModule {}
