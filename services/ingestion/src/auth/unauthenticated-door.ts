import { ApiKeyEntry, findApiKey, presentedKey } from '@vigil/auth';
import { counter } from '@vigil/observability';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiError } from '../http/api-error';

const refusedTotal = counter({
  name: 'vigil_ingestion_unauthenticated_total',
  help: 'Requests refused at the door before their body was read: unknown key, or too many of those from one address',
  labelNames: ['outcome'],
});

/** Distinct client addresses tracked per window; beyond it the table starts over (bounded memory). */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Runs before the body parser: a request without a known API key is refused (401) before a byte
 * of its body is read, and an address that keeps sending such requests gets 429 for the rest of
 * the window. Hand-written (a fixed window in a Map) because @nestjs/throttler runs as a guard,
 * i.e. after the body is parsed; this must act first. The signature, which needs the body, is
 * checked later by ApiKeyGuard.
 */
export function refuseUnauthenticated(keys: Map<string, ApiKeyEntry>, limit: number, windowMs: number, now: () => number = Date.now): RequestHandler {
  let windowStart = now();
  let refusals = new Map<string, number>();
  return (req: Request, _res: Response, next: NextFunction) => {
    if (findApiKey(keys, presentedKey((name) => req.header(name)))) return next();
    const t = now();
    if (t - windowStart >= windowMs || refusals.size >= MAX_TRACKED_ADDRESSES) {
      windowStart = t;
      refusals = new Map();
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const count = (refusals.get(address) ?? 0) + 1;
    refusals.set(address, count);
    if (count > limit) {
      refusedTotal.inc({ outcome: 'rate_limited' });
      return next(new ApiError(429, 'rate_limited', `too many unauthenticated requests; retry in ${Math.ceil((windowStart + windowMs - t) / 1000)} s`));
    }
    refusedTotal.inc({ outcome: 'unauthorized' });
    next(new ApiError(401, 'unauthorized', 'missing or unknown API key (send it in X-Api-Key)'));
  };
}
