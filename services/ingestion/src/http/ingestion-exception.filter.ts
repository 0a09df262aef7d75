import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { isTransient } from '@vigil/kafka';
import { counter } from '@vigil/observability';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { Response } from 'express';
import { IngestionConfig } from '../config';
import { ApiError, ApiErrorBody, ApiErrorCode } from './api-error';

const errorResponses = counter({
  name: 'vigil_ingestion_error_responses_total',
  help: 'Failed ingestion API requests by status and code (503 unavailable: Kafka or Redis unreachable, 429 rate_limited, ...)',
  labelNames: ['status', 'code'],
});

const CODE_BY_STATUS: Record<number, ApiErrorCode> = { 400: 'invalid_body', 401: 'unauthorized', 404: 'not_found', 413: 'payload_too_large', 429: 'rate_limited', 503: 'unavailable' };

/**
 * Renders every failure of the ingestion API in the one error format (ApiErrorBody):
 * an outage of Kafka or Redis becomes 503 with Retry-After (the client resends the same ids),
 * the rate limiter's refusal 429 (its guard already set Retry-After).
 */
@Catch()
export class IngestionExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(IngestionExceptionFilter.name);

  constructor(@Inject(SERVICE_CONFIG) private readonly config: IngestionConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception, res);
    errorResponses.inc({ status: String(body.statusCode), code: body.code });
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, res: Response): ApiErrorBody {
    if (exception instanceof ApiError) return exception.getResponse() as ApiErrorBody;
    if (exception instanceof ThrottlerException) {
      return { statusCode: 429, code: 'rate_limited', message: 'rate limit of this API key exceeded; retry after Retry-After seconds' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'http_error', message: exception.message };
    }
    if (isTransient(exception)) {
      res.setHeader('Retry-After', String(this.config.INGESTION_RETRY_AFTER_SECONDS));
      return { statusCode: 503, code: 'unavailable', message: 'events were not stored (Kafka or Redis unreachable); resend them with the same ids after Retry-After seconds' };
    }
    // A bug, not the client's fault: say so honestly (the fuzz test guards against this).
    this.logger.error(`unexpected failure: ${(exception as Error)?.stack ?? String(exception)}`);
    return { statusCode: 500, code: 'http_error', message: 'internal error' };
  }
}
