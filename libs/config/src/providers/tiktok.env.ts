import {
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
import { ToInt } from '../env-decorators';
import { HTTP_URL, type EnvClass } from './env-section';

/**
 * TikTok's variables: its developer app, its API and consent page (or the emulator's), the app's
 * request quota and the largest customer file. Unset app settings leave TikTok listed as unavailable.
 */
export function TikTokEnv<TBase extends EnvClass>(Base: TBase) {
  class TikTokEnvSection extends Base {
    /** The developer app's id (TikTok for Business portal → My apps). */
    @ValidateIf(
      (env: TikTokEnvSection) => env.TIKTOK_APP_ID !== undefined || env.TIKTOK_APP_SECRET !== undefined,
    )
    @Matches(/^\d{1,32}$/, {
      message:
        'must be the numeric app id from the TikTok for Business portal (required with TIKTOK_APP_SECRET)',
    })
    TIKTOK_APP_ID?: string;

    /** The developer app's secret. Never logged, never returned. */
    @ValidateIf(
      (env: TikTokEnvSection) => env.TIKTOK_APP_ID !== undefined || env.TIKTOK_APP_SECRET !== undefined,
    )
    @IsString({ message: 'is required with TIKTOK_APP_ID' })
    @IsNotEmpty({ message: 'is required with TIKTOK_APP_ID' })
    TIKTOK_APP_SECRET?: string;

    /** TikTok's API, or the emulator's (http://127.0.0.1:3100/open_api/v1.3). */
    @IsUrl(HTTP_URL, {
      message: 'must be an http(s) URL such as https://business-api.tiktok.com/open_api/v1.3',
    })
    TIKTOK_API_BASE_URL = 'https://business-api.tiktok.com/open_api/v1.3';

    /** TikTok's consent page, or the emulator's (http://127.0.0.1:3100/portal/auth). */
    @IsUrl(HTTP_URL, {
      message: 'must be an http(s) URL such as https://business-api.tiktok.com/portal/auth',
    })
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
  }
  return TikTokEnvSection;
}
