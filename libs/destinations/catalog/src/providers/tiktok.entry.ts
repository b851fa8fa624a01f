import {
  TIKTOK_BASIC_QUOTA,
  TIKTOK_FIELDS,
  TIKTOK_PROVIDER_ID,
  TikTokProvider,
  type TikTokProviderOptions,
} from '@conduit/destinations-tiktok';
import type { ProviderEntry } from '../provider-entry';

/** TikTok's deployment options: its developer app and endpoints; the shared services come from the catalog. */
type TikTokDeploymentOptions = Omit<
  TikTokProviderOptions,
  'rateLimiter' | 'workDirectory' | 'retryPolicy' | 'observer'
>;

export const TIKTOK_ENTRY: ProviderEntry<TikTokDeploymentOptions> = {
  id: TIKTOK_PROVIDER_ID,
  displayName: 'TikTok Ads',
  fields: TIKTOK_FIELDS,
  defaultQuota: TIKTOK_BASIC_QUOTA,
  fromEnv: (env) =>
    env.TIKTOK_APP_ID && env.TIKTOK_APP_SECRET
      ? {
          options: {
            appId: env.TIKTOK_APP_ID,
            secret: env.TIKTOK_APP_SECRET,
            apiBaseUrl: env.TIKTOK_API_BASE_URL,
            authorizeUrl: env.TIKTOK_AUTHORIZE_URL,
            redirectUri: env.TIKTOK_REDIRECT_URI,
            quota: { perSecond: env.TIKTOK_RATE_LIMIT_QPS, perMinute: env.TIKTOK_RATE_LIMIT_QPM },
            maxFileBytes: env.TIKTOK_MAX_FILE_MB * 1024 * 1024,
          },
        }
      : {
          unavailable:
            'TikTok is not configured on this Conduit: the operator must set TIKTOK_APP_ID and TIKTOK_APP_SECRET (the developer app from the TikTok for Business portal).',
        },
  create: (options, shared) => new TikTokProvider({ ...options, ...shared }),
};
