import {
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { BaseEnv } from './base.env';
import { IsEncryptionKeys, ToInt } from './env-decorators';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * Destination providers' deployment settings, read by every process that talks to a provider (the API
 * for OAuth, the scheduler for health checks and exports). A provider whose app is not configured is
 * listed as unavailable, with the variables to set.
 */
export class ProvidersEnv extends BaseEnv {
  /**
   * Keys that encrypt provider credentials at rest: `id:base64key` entries (32-byte keys), comma-
   * separated, the first one current, the others only decrypt (rotation). Required with DATABASE_URL;
   * on the embedded default one is generated into CONDUIT_DATA_DIR on first start.
   */
  @ValidateIf(
    (env: ProvidersEnv) => env.DATABASE_URL !== undefined || env.CONDUIT_ENCRYPTION_KEYS !== undefined,
  )
  @IsDefined({
    message:
      'is required when DATABASE_URL is set (every process needs the same keys); generate one with `npm run conduit -- keys:generate`',
  })
  @IsEncryptionKeys()
  CONDUIT_ENCRYPTION_KEYS?: string;

  /** The developer app's id (TikTok for Business portal → My apps). */
  @ValidateIf((env: ProvidersEnv) => env.TIKTOK_APP_ID !== undefined || env.TIKTOK_APP_SECRET !== undefined)
  @Matches(/^\d{1,32}$/, {
    message:
      'must be the numeric app id from the TikTok for Business portal (required with TIKTOK_APP_SECRET)',
  })
  TIKTOK_APP_ID?: string;

  /** The developer app's secret. Never logged, never returned. */
  @ValidateIf((env: ProvidersEnv) => env.TIKTOK_APP_ID !== undefined || env.TIKTOK_APP_SECRET !== undefined)
  @IsString({ message: 'is required with TIKTOK_APP_ID' })
  @IsNotEmpty({ message: 'is required with TIKTOK_APP_ID' })
  TIKTOK_APP_SECRET?: string;

  /** TikTok's API, or the emulator's (http://127.0.0.1:3100/open_api/v1.3). */
  @IsUrl(HTTP_URL, {
    message: 'must be an http(s) URL such as https://business-api.tiktok.com/open_api/v1.3',
  })
  TIKTOK_API_BASE_URL = 'https://business-api.tiktok.com/open_api/v1.3';

  /** TikTok's consent page, or the emulator's (http://127.0.0.1:3100/portal/auth). */
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL such as https://business-api.tiktok.com/portal/auth' })
  TIKTOK_AUTHORIZE_URL = 'https://business-api.tiktok.com/portal/auth';

  /**
   * The redirect URI registered with the TikTok app; defaults to PUBLIC_URL/oauth/callback/tiktok. It
   * must be this API's callback route.
   */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL ending in /oauth/callback/tiktok' })
  TIKTOK_REDIRECT_URI?: string;

  /**
   * The TikTok app's request quota (Basic tier: 10 per second, 600 per minute), shared by every
   * process through Redis when REDIS_URL is set. Raise it only when TikTok granted the app more.
   */
  @ToInt()
  @IsInt({ message: 'must be a whole number of requests per second' })
  @Min(1)
  @Max(10_000)
  TIKTOK_RATE_LIMIT_QPS = 10;

  @ToInt()
  @IsInt({ message: 'must be a whole number of requests per minute' })
  @Min(1)
  @Max(600_000)
  TIKTOK_RATE_LIMIT_QPM = 600;

  /**
   * Largest customer file sent to TikTok (its limit: 250 MB). Smaller files mean more of them (49 per
   * create or update call), each a shorter upload to repeat after a failure.
   */
  @ToInt()
  @IsInt({ message: 'must be a whole number of MB' })
  @Min(1)
  @Max(250)
  TIKTOK_MAX_FILE_MB = 250;

  /**
   * A provider call that fails for a passing reason (5xx, throttling, a dropped connection) is tried
   * this many times in all, waiting from PROVIDER_RETRY_BASE_DELAY_MS, doubled each time with jitter,
   * up to PROVIDER_RETRY_MAX_DELAY_MS; then the export fails with the last error (and may be retried).
   */
  @ToInt()
  @IsInt({ message: 'must be a whole number of attempts' })
  @Min(1)
  @Max(20)
  PROVIDER_RETRY_ATTEMPTS = 5;

  @ToInt()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  @Max(60_000)
  PROVIDER_RETRY_BASE_DELAY_MS = 1000;

  @ToInt()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  @Max(600_000)
  PROVIDER_RETRY_MAX_DELAY_MS = 60_000;
}
