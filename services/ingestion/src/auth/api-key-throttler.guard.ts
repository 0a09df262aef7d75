import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthenticatedRequest } from './api-key.guard';

/**
 * Per-API-key rate limit (@nestjs/throttler, counters in Redis: the limit holds across
 * instances; one bucket per configured key, so it is bounded). Runs after ApiKeyGuard;
 * unauthenticated requests never reach it.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return (req as unknown as AuthenticatedRequest).apiKey?.key ?? 'anonymous';
  }
}
