import { DomainException, ErrorCode } from '@conduit/domain';
import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerOptions, type ThrottlerRequest } from '@nestjs/throttler';
import type { Request, Response } from 'express';

/** The most constraining window seen so far for this request: what its RateLimit-* headers say. */
interface Window {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

const SHOWN = Symbol('conduit:rateLimitShown');

/**
 * Global guard, after ApiKeyGuard: counts the request against its API key's windows (rate-limits.ts)
 * and answers 429 `RATE_LIMITED` in the one error shape, with `Retry-After` (whole seconds). Every
 * counted answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds) of
 * the window closest to its limit. A request is counted once, however large its body.
 */
@Injectable()
export class ApiRateLimitGuard extends ThrottlerGuard {
  override async onModuleInit(): Promise<void> {
    const configured = Array.isArray(this.options) ? this.options : this.options.throttlers;
    // Every window off (0): nothing to count, and no warning that nothing is limited.
    if (configured.length === 0) {
      this.throttlers = [];
      return;
    }
    await super.onModuleInit();
  }

  override async canActivate(context: Parameters<ThrottlerGuard['canActivate']>[0]): Promise<boolean> {
    return this.throttlers.length === 0 || super.canActivate(context);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const request = context.switchToHttp().getRequest<Request & { [SHOWN]?: Window }>();
    const response = context.switchToHttp().getResponse<Response>();
    const name = throttler.name ?? 'default';
    const key = generateKey(context, await getTracker(request, context), name);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    const window: Window = record.isBlocked
      ? { limit, remaining: 0, resetSeconds: Math.max(1, record.timeToBlockExpire) }
      : {
          limit,
          remaining: Math.max(0, limit - record.totalHits),
          resetSeconds: Math.max(0, record.timeToExpire),
        };
    const shown = request[SHOWN];
    if (
      !shown ||
      window.remaining < shown.remaining ||
      (window.remaining === shown.remaining && window.resetSeconds > shown.resetSeconds)
    ) {
      request[SHOWN] = window;
      response.setHeader('RateLimit-Limit', String(window.limit));
      response.setHeader('RateLimit-Remaining', String(window.remaining));
      response.setHeader('RateLimit-Reset', String(window.resetSeconds));
    }
    if (!record.isBlocked) return true;
    response.setHeader('Retry-After', String(window.resetSeconds));
    throw new DomainException(
      ErrorCode.RATE_LIMITED,
      `This API key made more than ${limit} requests ${per(throttler, ttl)}; retry in ` +
        `${window.resetSeconds} s (the Retry-After header), and spread requests out or ask for a higher limit.`,
    );
  }
}

function per(throttler: ThrottlerOptions, ttlMs: number): string {
  if (throttler.name === 'second' || ttlMs === 1000) return 'in a second';
  if (throttler.name === 'minute' || ttlMs === 60_000) return 'in a minute';
  return `in ${Math.round(ttlMs / 1000)} s`;
}
