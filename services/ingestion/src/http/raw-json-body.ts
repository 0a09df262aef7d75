import { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { json, NextFunction, Request, RequestHandler, Response } from 'express';
import { parseApiKeys } from '@vigil/auth';
import { refuseUnauthenticated } from '../auth/unauthenticated-door';
import { IngestionConfig } from '../config';
import { ApiError } from './api-error';

/** Where the ingestion API lives; the parser below applies only here. */
export const API_PREFIX = '/v1';

/**
 * JSON body parser for the ingestion API that keeps the raw bytes (the HMAC signature is
 * computed over them), enforces INGESTION_MAX_BODY_BYTES and turns body-parser's failures
 * into the API's error format (Nest would turn "too large" into a 500). Registered on the
 * HTTP adapter while the module is instantiated, so it runs before Nest's default JSON parser,
 * which then sees an already-read body and passes.
 */
export function rawJsonBodyParser(limitBytes: number): RequestHandler {
  const parse = json({
    limit: limitBytes,
    strict: true,
    type: () => true,
    verify: (req, _res, buf) => {
      (req as Request & { rawBody?: Buffer }).rawBody = buf;
    },
  });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => (error ? next(toApiError(error)) : next()));
}

function toApiError(error: unknown): ApiError {
  const { type, message, status } = error as { type?: string; message?: string; status?: number };
  if (type === 'entity.too.large') return new ApiError(413, 'payload_too_large', message ?? 'request body too large');
  if (type === 'entity.parse.failed') return new ApiError(400, 'malformed_json', `body is not valid JSON: ${message}`);
  return new ApiError(status && status >= 400 && status < 500 ? status : 400, 'invalid_body', message ?? 'unreadable body');
}

export const INGESTION_DOOR = Symbol('INGESTION_DOOR');

/** The door of the API, in this order: refuse unknown keys before reading the body, then parse it. */
export const ingestionDoorProvider: Provider = {
  provide: INGESTION_DOOR,
  inject: [HttpAdapterHost, SERVICE_CONFIG],
  useFactory: (host: HttpAdapterHost, config: IngestionConfig) => {
    const keys = parseApiKeys(config.INGESTION_API_KEYS);
    host.httpAdapter?.use(API_PREFIX, refuseUnauthenticated(keys, config.INGESTION_UNAUTHENTICATED_LIMIT, config.INGESTION_RATE_WINDOW_MS));
    host.httpAdapter?.use(API_PREFIX, rawJsonBodyParser(config.INGESTION_MAX_BODY_BYTES));
    return true;
  },
};
