import type { ProvidersEnv } from '@conduit/config';
import type { DestinationRegistry } from '@conduit/destinations-core';
import { Redis } from 'ioredis';
import { buildDestinationRegistry, type CatalogOptions } from './catalog';

/** The registry from a process's validated environment (TIKTOK_APP_ID, TIKTOK_APP_SECRET, …). */
export function registryFromEnv(
  env: Pick<
    ProvidersEnv,
    | 'TIKTOK_APP_ID'
    | 'TIKTOK_APP_SECRET'
    | 'TIKTOK_API_BASE_URL'
    | 'TIKTOK_AUTHORIZE_URL'
    | 'TIKTOK_RATE_LIMIT_QPS'
    | 'TIKTOK_RATE_LIMIT_QPM'
    | 'TIKTOK_MAX_FILE_MB'
    | 'PROVIDER_RETRY_ATTEMPTS'
    | 'PROVIDER_RETRY_BASE_DELAY_MS'
    | 'PROVIDER_RETRY_MAX_DELAY_MS'
  >,
  options: CatalogOptions = {},
): DestinationRegistry {
  return buildDestinationRegistry(
    {
      tiktok: {
        appId: env.TIKTOK_APP_ID,
        secret: env.TIKTOK_APP_SECRET,
        apiBaseUrl: env.TIKTOK_API_BASE_URL,
        authorizeUrl: env.TIKTOK_AUTHORIZE_URL,
        quota: { perSecond: env.TIKTOK_RATE_LIMIT_QPS, perMinute: env.TIKTOK_RATE_LIMIT_QPM },
        maxFileBytes: env.TIKTOK_MAX_FILE_MB * 1024 * 1024,
      },
    },
    {
      retryPolicy: {
        attempts: env.PROVIDER_RETRY_ATTEMPTS,
        baseDelayMs: env.PROVIDER_RETRY_BASE_DELAY_MS,
        maxDelayMs: env.PROVIDER_RETRY_MAX_DELAY_MS,
      },
      ...options,
    },
  );
}

/**
 * With REDIS_URL, every process shares each provider's request budget through that Redis (the
 * connection opens on the first provider call). Without, none: each process keeps its own.
 */
export function sharedLimitsFromEnv(env: {
  REDIS_URL?: string;
  CONDUIT_QUEUE_PREFIX: string;
}): CatalogOptions['sharedLimits'] {
  if (!env.REDIS_URL) return undefined;
  return {
    redis: new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 }),
    prefix: env.CONDUIT_QUEUE_PREFIX,
  };
}
