import {
  DestinationRegistry,
  type FieldDefinition,
  type RequestRateLimiter,
  type UnavailableProvider,
} from '@conduit/destinations-core';
import { TIKTOK_FIELDS, TIKTOK_PROVIDER_ID, TikTokProvider } from '@conduit/destinations-tiktok';

/** Deployment settings of every provider this build ships; a provider without its app settings is unavailable. */
export interface ProviderSettings {
  tiktok: {
    appId?: string;
    secret?: string;
    apiBaseUrl?: string;
    authorizeUrl?: string;
  };
}

export interface CatalogOptions {
  /** Shares each provider's request budget across processes (Redis); in-process by default. */
  rateLimiter?: RequestRateLimiter;
  /** Where providers write files before upload (a folder under the data directory). */
  workDirectory?: string;
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
  const { appId, secret, apiBaseUrl, authorizeUrl } = settings.tiktok;
  const tiktok =
    appId && secret
      ? new TikTokProvider({
          appId,
          secret,
          apiBaseUrl,
          authorizeUrl,
          rateLimiter: options.rateLimiter,
          workDirectory: options.workDirectory,
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
