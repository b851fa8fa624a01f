import { registryFromEnv } from '@conduit/destinations-catalog';
import { resolveEncryptionKeys, type DomainSettings } from '@conduit/domain';
import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { ApiEnv } from './api.env';

/** The domain's settings: credential keys and the providers this deployment has configured. */
export function domainSettingsFrom(config: ConfigService<ApiEnv, true>): DomainSettings {
  const env = (key: keyof ApiEnv) => config.get(key, { infer: true }) as string | undefined;
  return {
    encryptionKeys: resolveEncryptionKeys(
      {
        configured: env('CONDUIT_ENCRYPTION_KEYS'),
        databaseUrl: env('DATABASE_URL'),
        dataDir: config.get('CONDUIT_DATA_DIR', { infer: true }),
      },
      (notice) => new Logger('Encryption').warn(notice),
    ).spec,
    registry: registryFromEnv({
      TIKTOK_APP_ID: env('TIKTOK_APP_ID'),
      TIKTOK_APP_SECRET: env('TIKTOK_APP_SECRET'),
      TIKTOK_API_BASE_URL: config.get('TIKTOK_API_BASE_URL', { infer: true }),
      TIKTOK_AUTHORIZE_URL: config.get('TIKTOK_AUTHORIZE_URL', { infer: true }),
    }),
    oauthStateTtlMs: config.get('OAUTH_STATE_TTL_SECONDS', { infer: true }) * 1000,
  };
}
