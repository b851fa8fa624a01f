import { reportConnectionTrouble } from '@conduit/domain';
import { Logger, type ExecutionContext } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import {
  ThrottlerStorageService,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import Redis from 'ioredis';
import type { AuthenticatedRequest } from '../auth/principal.decorator';
import type { ApiEnv } from '../config/api.env';
import { RedisRateLimitStorage } from './redis-rate-limit-storage';

/** The windows an API key is counted in; a limit of 0 leaves its window out. */
const WINDOWS = [
  { name: 'second', ttl: 1000, env: 'API_RATE_LIMIT_PER_SECOND' },
  { name: 'minute', ttl: 60_000, env: 'API_RATE_LIMIT_PER_MINUTE' },
] as const;

const principalOf = (context: ExecutionContext) =>
  context.switchToHttp().getRequest<AuthenticatedRequest>().principal;

/**
 * The per-API-key limits, from the environment. The tracker is the authenticated key's id, so the
 * limiter runs after ApiKeyGuard; a request without a principal (a @Public() route: /health, the
 * OAuth callback) is not counted. One budget per key across all routes (not per route), in Redis
 * under the deployment's prefix when REDIS_URL is set, so every API process shares it.
 */
export function rateLimitOptionsFrom(config: ConfigService<ApiEnv, true>): ThrottlerModuleOptions {
  const throttlers: ThrottlerOptions[] = WINDOWS.map((window) => ({
    name: window.name,
    ttl: window.ttl,
    limit: config.get(window.env, { infer: true }),
  })).filter((window) => window.limit > 0);
  const redisUrl = config.get('REDIS_URL', { infer: true });
  const prefix = `${config.get('CONDUIT_QUEUE_PREFIX', { infer: true })}:api-rate-limit`;
  return {
    throttlers,
    storage: new FailOpenStorage(
      redisUrl ? new RedisRateLimitStorage(rateLimitRedis(redisUrl)) : new ThrottlerStorageService(),
    ),
    skipIf: (context) => principalOf(context) === undefined,
    getTracker: (request: AuthenticatedRequest) => request.principal?.apiKeyId ?? '',
    generateKey: (_context, apiKeyId, window) => `${prefix}:${window}:${apiKeyId}`,
  };
}

/** Fails fast when Redis is away: the limiter then lets requests through (FailOpenStorage). */
function rateLimitRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  reportConnectionTrouble(redis, 'API rate limits (Redis)', new Logger('RateLimits'));
  return redis;
}

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often an unreachable limiter store is reported, at most. */
const WARN_EVERY_MS = 60_000;

/**
 * A limiter whose store fails (Redis down) lets requests through and says so in the logs: a rate
 * limit protects the API, it must not take it down.
 */
export class FailOpenStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimits');
  private lastWarnedAt = 0;

  constructor(
    private readonly inner: ThrottlerStorage & {
      /** The in-memory store's: clears its timers. */
      onApplicationShutdown?: () => void;
      /** The Redis store's: closes its connection. */
      disconnect?: () => void;
    },
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      return await this.inner.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      if (Date.now() - this.lastWarnedAt > WARN_EVERY_MS) {
        this.lastWarnedAt = Date.now();
        this.logger.warn(
          { err: error },
          'Rate limits not counted (their store is unreachable); requests pass',
        );
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /** After the HTTP server closed (Nest's last hook): the requests still in flight were counted. */
  onApplicationShutdown(): void {
    this.inner.onApplicationShutdown?.();
    this.inner.disconnect?.();
  }
}
