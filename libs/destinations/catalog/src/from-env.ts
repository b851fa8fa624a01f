import type { ProviderVariables } from '@conduit/config';
import type { DestinationRegistry } from '@conduit/destinations-core';
import { Redis } from 'ioredis';
import { buildDestinationRegistry, PROVIDER_ENTRIES, type CatalogOptions } from './catalog';

/**
 * The registry from a process's validated provider variables (`providersEnvFrom(...)` of
 * @conduit/config): every provider this build ships, with the retry policy the variables set.
 */
export function registryFromEnv(env: ProviderVariables, options: CatalogOptions = {}): DestinationRegistry {
  return buildDestinationRegistry(PROVIDER_ENTRIES, env, {
    retryPolicy: {
      attempts: env.PROVIDER_RETRY_ATTEMPTS,
      baseDelayMs: env.PROVIDER_RETRY_BASE_DELAY_MS,
      maxDelayMs: env.PROVIDER_RETRY_MAX_DELAY_MS,
    },
    ...options,
  });
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
