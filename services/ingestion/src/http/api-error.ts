import { HttpException } from '@nestjs/common';

/** Machine-readable error codes of the ingestion API (the `code` field of every error body). */
export type ApiErrorCode =
  | 'invalid_event'
  | 'malformed_json'
  | 'invalid_body'
  | 'payload_too_large'
  | 'batch_too_large'
  | 'unauthorized'
  | 'invalid_signature'
  | 'tenant_mismatch'
  | 'rate_limited'
  | 'unavailable'
  | 'not_found'
  | 'http_error';

/** One failing field; `index` is the position in a batch (absent for POST /v1/events). */
export interface ApiFieldError {
  index?: number;
  field: string;
  constraint: string;
  reason: string;
}

/** The one error body every non-2xx answer carries. Stable: fields are only ever added. */
export interface ApiErrorBody {
  statusCode: number;
  code: ApiErrorCode;
  message: string;
  errors?: ApiFieldError[];
}

export class ApiError extends HttpException {
  constructor(
    status: number,
    code: ApiErrorCode,
    message: string,
    errors?: ApiFieldError[],
    readonly retryAfterSeconds?: number,
  ) {
    super({ statusCode: status, code, message, ...(errors ? { errors } : {}) } satisfies ApiErrorBody, status);
  }
}
