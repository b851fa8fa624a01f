import type { ProviderVariables } from '@conduit/config';
import {
  DestinationRegistry,
  InMemoryRateLimiter,
  notifyObserver,
  type DestinationProvider,
  type FieldDefinition,
  type ProviderObserver,
  type RateLimits,
  type RequestRateLimiter,
  type RetryPolicy,
  type UnavailableProvider,
} from '@conduit/destinations-core';
import type { Redis } from 'ioredis';
import type { ProviderEntry } from './provider-entry';
import { META_ENTRY } from './providers/meta.entry';
import { TIKTOK_ENTRY } from './providers/tiktok.entry';
import { RedisRateLimiter } from './redis-rate-limiter';

/**
 * Every provider this build ships, in the order GET /providers lists them. Adding a provider is its
 * entry file in `providers/` and one line here (the README's "Adding a destination provider").
 */
export const PROVIDER_ENTRIES: readonly ProviderEntry[] = [TIKTOK_ENTRY, META_ENTRY];

export interface CatalogOptions {
  /** One limiter for every provider (specs); see `sharedLimits` for deployments. */
  rateLimiter?: RequestRateLimiter;
  /**
   * Shares each provider's request budget across every process through this Redis, so no number of
   * workers makes a provider throttle. Without it, each process keeps its own budget.
   */
  sharedLimits?: { redis: Redis; prefix: string };
  /** Where providers write files before upload (a folder under the data directory). */
  workDirectory?: string;
  /** How providers retry a call that failed for a passing reason; the core default when absent. */
  retryPolicy?: RetryPolicy;
  /** Told of every provider request and rate-limit wait (the app's metrics). */
  observer?: ProviderObserver;
}

/**
 * The registry an app serves: every entry whose settings are configured, built with the services all
 * providers share, and for each other one the variables an operator must set.
 */
export function buildDestinationRegistry(
  entries: readonly ProviderEntry[],
  env: ProviderVariables,
  options: CatalogOptions = {},
): DestinationRegistry {
  const providers: DestinationProvider[] = [];
  const unavailable: UnavailableProvider[] = [];
  for (const entry of entries) {
    const setup = entry.fromEnv(env);
    if ('unavailable' in setup) {
      unavailable.push({ id: entry.id, displayName: entry.displayName, reason: setup.unavailable });
      continue;
    }
    const provider = entry.create(setup.options, {
      rateLimiter: limiterFor(entry.id, setup.options.quota ?? entry.defaultQuota, options),
      workDirectory: options.workDirectory,
      retryPolicy: options.retryPolicy,
      observer: options.observer,
    });
    if (provider.id !== entry.id) {
      throw new Error(
        `The catalog entry "${entry.id}" built a provider with the id "${provider.id}": an entry's id must be its provider's.`,
      );
    }
    providers.push(provider);
  }
  return new DestinationRegistry(providers, unavailable);
}

/**
 * The limiter that holds one provider to its quota: the one given (specs), else one shared through
 * Redis when configured, else one in this process; each reports its waits to the observer.
 */
function limiterFor(provider: string, quota: RateLimits, options: CatalogOptions): RequestRateLimiter {
  if (options.rateLimiter) return options.rateLimiter;
  const observer = options.observer;
  const onWait = observer
    ? (waitedMs: number) =>
        notifyObserver(observer, (watcher) =>
          watcher.rateLimitWaited({ provider, waitedSeconds: waitedMs / 1000 }),
        )
    : undefined;
  return options.sharedLimits
    ? new RedisRateLimiter(
        options.sharedLimits.redis,
        quota,
        `${options.sharedLimits.prefix}:rate`,
        undefined,
        onWait,
      )
    : new InMemoryRateLimiter(quota, undefined, onWait);
}

/** Every provider this build ships and its field schema, configured or not (API docs, validation help). */
export const PROVIDER_FIELD_SCHEMAS: ReadonlyArray<{
  id: string;
  displayName: string;
  fields: readonly FieldDefinition[];
}> = PROVIDER_ENTRIES.map(({ id, displayName, fields }) => ({ id, displayName, fields }));
