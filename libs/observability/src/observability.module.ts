import { DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';

export interface ObservabilityOptions {
  serviceName: string;
  logLevel: string;
}

/** JSON logs (pino) with request ids, and Prometheus metrics on GET /metrics. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.logLevel,
            base: { service: options.serviceName },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-vigil-signature"]'],
            // Probes and scrapes would drown the request log.
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
        }),
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { service: options.serviceName },
          defaultMetrics: { enabled: true },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
