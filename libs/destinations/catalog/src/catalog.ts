import {
  DestinationRegistry,
  InMemoryRateLimiter,
  notifyObserver,
  type FieldDefinition,
  type ProviderObserver,
  type RateLimits,
  type RequestRateLimiter,
  type RetryPolicy,
  type UnavailableProvider,
} from '@conduit/destinations-core';
import {
  TIKTOK_BASIC_QUOTA,
  TIKTOK_FIELDS,
  TIKTOK_PROVIDER_ID,
  TikTokProvider,
} from '@conduit/destinations-tiktok';
import type { Redis } from 'ioredis';
import { RedisRateLimiter } from './redis-rate-limiter';

/** Deployment settings of every provider this build ships; a provider without its app settings is unavailable. */
export interface ProviderSettings {
  tiktok: {
    appId?: string;
    secret?: string;
    apiBaseUrl?: string;
    authorizeUrl?: string;
    /** The app's request quota; TikTok's Basic tier when absent. */
    quota?: RateLimits;
    /** Largest customer file; TikTok's 250 MB when absent. */
    maxFileBytes?: number;
  };
}

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
 * The registry an app serves: every configured provider, and for each one that is not configured the
 * variables an operator must set. Adding a provider means one more entry here (see the README).
 */
export function buildDestinationRegistry(
  settings: ProviderSettings,
  options: CatalogOptions = {},
): DestinationRegistry {
  const unavailable: UnavailableProvider[] = [];
  const limiterFor = (provider: string, quota: RateLimits) => {
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
  };
  const { appId, secret, apiBaseUrl, authorizeUrl, quota, maxFileBytes } = settings.tiktok;
  const tiktok =
    appId && secret
      ? new TikTokProvider({
          appId,
          secret,
          quota,
          maxFileBytes,
          apiBaseUrl,
          authorizeUrl,
          rateLimiter: limiterFor(TIKTOK_PROVIDER_ID, quota ?? TIKTOK_BASIC_QUOTA),
          workDirectory: options.workDirectory,
          retryPolicy: options.retryPolicy,
          observer: options.observer,
        })
      : undefined;
  if (!tiktok) {
    unavailable.push({
      id: TIKTOK_PROVIDER_ID,
      displayName: 'TikTok Ads',
      reason:
        'TikTok is not configured on this Conduit: the operator must set TIKTOK_APP_ID and TIKTOK_APP_SECRET (the developer app from the TikTok for Business portal).',
    });
  }
  return new DestinationRegistry(tiktok ? [tiktok] : [], unavailable);
}

/** Every provider this build ships and its field schema, configured or not (API docs, validation help). */
export const PROVIDER_FIELD_SCHEMAS: ReadonlyArray<{
  id: string;
  displayName: string;
  fields: readonly FieldDefinition[];
}> = [{ id: TIKTOK_PROVIDER_ID, displayName: 'TikTok Ads', fields: TIKTOK_FIELDS }];
