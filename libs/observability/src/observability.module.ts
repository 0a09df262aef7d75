import { DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { logStream, REDACTED_PATHS, requestSerializers } from './log-safety';

export interface ObservabilityOptions {
  serviceName: string;
  logLevel: string;
}

/** JSON logs (pino) with request ids, and Prometheus metrics on GET /metrics. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    // Process metrics (CPU, memory, event-loop lag) are registered once per process; the
    // Prometheus module would register them again for every app (two apps in one test run).
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: options.logLevel,
              base: { service: options.serviceName },
              serializers: requestSerializers,
              redact: REDACTED_PATHS,
              // Probes and scrapes would drown the request log.
              autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            },
            logStream,
          ],
        }),
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { service: options.serviceName },
          defaultMetrics: { enabled: false },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
