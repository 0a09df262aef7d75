import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vigil/service-runtime';
import { Request } from 'express';
import { IngestionConfig } from '../config';
import { ApiError } from '../http/api-error';
import { ApiKeyEntry, findApiKey, parseApiKeys, presentedKey, signatureMatches } from '@vigil/auth';

export const SIGNATURE_HEADER = 'x-vigil-signature';

/** What the guard attaches to the request for the controller. */
export interface AuthenticatedRequest extends Request {
  apiKey?: ApiKeyEntry;
  rawBody?: Buffer;
}

/**
 * Authenticates every ingestion request by API key (`X-Api-Key`, or `Authorization: Bearer`),
 * and checks the HMAC signature of the raw body when the key has a secret. Runs before
 * anything is published; failures are 401.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Map<string, ApiKeyEntry>;

  constructor(@Inject(SERVICE_CONFIG) config: IngestionConfig) {
    this.keys = parseApiKeys(config.INGESTION_API_KEYS);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const entry = findApiKey(this.keys, presentedKey((name) => req.header(name)));
    if (!entry) throw new ApiError(401, 'unauthorized', 'missing or unknown API key (send it in X-Api-Key)');
    if (entry.secret && !signatureMatches(entry.secret, req.rawBody ?? Buffer.alloc(0), req.header(SIGNATURE_HEADER))) {
      throw new ApiError(401, 'invalid_signature', 'X-Vigil-Signature is missing or is not sha256=<hex HMAC-SHA256 of the raw body>');
    }
    req.apiKey = entry;
    return true;
  }
}
