import type { ProvidersEnv } from '@conduit/config';
import type { DestinationRegistry } from '@conduit/destinations-core';
import { buildDestinationRegistry, type CatalogOptions } from './catalog';

/** The registry from a process's validated environment (TIKTOK_APP_ID, TIKTOK_APP_SECRET, …). */
export function registryFromEnv(
  env: Pick<
    ProvidersEnv,
    'TIKTOK_APP_ID' | 'TIKTOK_APP_SECRET' | 'TIKTOK_API_BASE_URL' | 'TIKTOK_AUTHORIZE_URL'
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
      },
    },
    options,
  );
}
