import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { SIGNATURE_HEADER, verifyPayloadSignature } from '@vigil/signature';
import { Request } from 'express';
import { IngestionConfig } from '../config';
import { ApiError } from '../http/api-error';
import { Clock, INGESTION_CLOCK } from '../ingest/future-skew';
import { ApiKeyEntry, findApiKey, parseApiKeys, presentedKey } from '@vigil/auth';

const SIGNATURE_PROBLEM = {
  missing: 'X-Vigil-Signature is missing: this key signs its requests (t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">)',
  malformed: 'X-Vigil-Signature must be t=<unix seconds>,v1=<64 hex digits>',
  expired: 'X-Vigil-Signature is older (or newer) than the replay window: sign each request when it is sent',
  mismatch: 'X-Vigil-Signature does not match the body and timestamp',
} as const;

/** What the guard attaches to the request for the controller. */
export interface AuthenticatedRequest extends Request {
  apiKey?: ApiKeyEntry;
  rawBody?: Buffer;
}

/**
 * Authenticates every ingestion request by API key (`X-Api-Key`, or `Authorization: Bearer`),
 * and checks the signature of the raw body and its timestamp (replay window
 * INGESTION_SIGNATURE_TOLERANCE_SECONDS) when the key has a secret. Runs before
 * anything is published; failures are 401.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Map<string, ApiKeyEntry>;
  private readonly toleranceSeconds: number;

  constructor(
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
    @Inject(INGESTION_CLOCK) private readonly clock: Clock,
  ) {
    this.keys = parseApiKeys(config.INGESTION_API_KEYS);
    this.toleranceSeconds = config.INGESTION_SIGNATURE_TOLERANCE_SECONDS;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const entry = findApiKey(this.keys, presentedKey((name) => req.header(name)));
    if (!entry) throw new ApiError(401, 'unauthorized', 'missing or unknown API key (send it in X-Api-Key)');
    if (entry.secret) {
      const check = verifyPayloadSignature(entry.secret, req.rawBody ?? Buffer.alloc(0), req.header(SIGNATURE_HEADER), this.toleranceSeconds, this.clock());
      if (!check.ok) throw new ApiError(401, 'invalid_signature', SIGNATURE_PROBLEM[check.reason]);
    }
    req.apiKey = entry;
    return true;
  }
}
