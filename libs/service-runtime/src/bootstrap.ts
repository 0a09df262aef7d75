import 'reflect-metadata';
import { Server } from 'node:http';
import { DynamicModule, INestApplication, Type, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { compileContractChecks, topicSpecs } from '@vigil/contracts';
import { createKafka, describeKafkaError, ensureTopics } from '@vigil/kafka';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { kafkaSecurityFromConfig, RuntimeConfig } from '@vigil/config';
import { ApiDocsOptions, setupApiDocs } from './api-docs';
import { BodyDepthInterceptor } from './body-depth.interceptor';

/** Apps whose HTTP server is draining (a stop has begun): their responses close the connection. */
const draining = new WeakSet<INestApplication>();

/** Creates the Nest app with the service defaults (pino logs, security headers, validation, graceful shutdown). */
export async function createServiceApp(module: Type<unknown> | DynamicModule): Promise<INestApplication> {
  compileContractChecks();
  const app = await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // While draining, every response ends its keep-alive connection, so busy clients reconnect
  // (to another instance) instead of keeping this one open (see drainHttpOnSignal).
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    if (draining.has(app)) res.setHeader('Connection', 'close');
    next();
  });
  // Security headers on every response (nosniff, frame and referrer policies, ...). The
  // Content-Security-Policy is per page: the dashboard sends its own (script allowed by hash),
  // and a global one would break the ingestion API's Swagger UI.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.useGlobalInterceptors(new BodyDepthInterceptor());
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  return app;
}

/**
 * Nest's shutdown hooks stop the app on SIGTERM/SIGINT and then re-raise the signal; this bounds
 * that stop (SHUTDOWN_TIMEOUT_MS). The timer is unref'd: it never keeps a stopped process alive.
 */
function exitAfterShutdownTimeout(timeoutMs: number): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        console.error(`graceful shutdown did not finish within SHUTDOWN_TIMEOUT_MS=${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
    });
  }
}

/**
 * On SIGTERM/SIGINT the HTTP server stops taking connections at once and closes its idle ones,
 * while Nest's hooks stop the consumers. Nest alone closes it only after those hooks (the intake
 * consumer's fetch long-poll, up to 5 s), all the while serving busy keep-alive connections, and
 * then waits for them: measured 15 s (the test's timeout) under load on a busy machine. Requests
 * in flight still complete (an accepted event is stored before its 202).
 */
function drainHttpOnSignal(app: INestApplication): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      draining.add(app);
      const server = app.getHttpServer() as Server;
      if (!server.listening) return;
      server.close();
      server.closeIdleConnections();
    });
  }
}

/**
 * Makes sure the topics of this environment exist (the broker does not auto-create them). The
 * service's first Kafka round trip, so a refused login stops the start here with a clear reason.
 */
export async function provisionTopics(config: RuntimeConfig): Promise<void> {
  const security = kafkaSecurityFromConfig(config);
  try {
    await ensureTopics(createKafka(config.KAFKA_BROKERS, 'vigil-provisioner', { quiet: true, security }), topicSpecs(config.VIGIL_TOPIC_PREFIX));
  } catch (error) {
    throw new Error(`cannot provision the Kafka topics on ${config.KAFKA_BROKERS.join(',')}: ${describeKafkaError(error, security)}`, { cause: error });
  }
}

/** Entry point of a service's main.ts: provision topics, start, serve the OpenAPI document (mounted before listen), listen. */
export async function runService(module: Type<unknown> | DynamicModule, config: RuntimeConfig, options: { apiDocs?: ApiDocsOptions } = {}): Promise<INestApplication> {
  await provisionTopics(config);
  const app = await createServiceApp(module);
  exitAfterShutdownTimeout(config.SHUTDOWN_TIMEOUT_MS);
  if (options.apiDocs) setupApiDocs(app, options.apiDocs);
  await app.listen(config.PORT, process.env['HOST'] ?? '0.0.0.0');
  drainHttpOnSignal(app);
  return app;
}
