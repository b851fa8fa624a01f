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
 * Meta's variables: its app (Meta for Developers), the Graph API and Facebook Login's dialog (or the
 * emulator's), the Graph version, the app's request budget and the rows per upload request. Unset app
 * settings leave Meta listed as unavailable.
 */
export function MetaEnv<TBase extends EnvClass>(Base: TBase) {
  class MetaEnvSection extends Base {
    /** The app's id (Meta for Developers → My Apps → App settings → Basic). */
    @ValidateIf((env: MetaEnvSection) => env.META_APP_ID !== undefined || env.META_APP_SECRET !== undefined)
    @Matches(/^\d{1,32}$/, {
      message: 'must be the numeric app id from Meta for Developers (required with META_APP_SECRET)',
    })
    META_APP_ID?: string;

    /** The app's secret (it also signs every call: appsecret_proof). Never logged, never returned. */
    @ValidateIf((env: MetaEnvSection) => env.META_APP_ID !== undefined || env.META_APP_SECRET !== undefined)
    @IsString({ message: 'is required with META_APP_ID' })
    @IsNotEmpty({ message: 'is required with META_APP_ID' })
    META_APP_SECRET?: string;

    /** The Graph API's host, or the emulator's (http://127.0.0.1:3200); the version goes in the path. */
    @IsUrl(HTTP_URL, { message: 'must be an http(s) URL such as https://graph.facebook.com' })
    META_GRAPH_BASE_URL = 'https://graph.facebook.com';

    /**
     * The Graph API version called. Meta supports each version about two years: move it forward when
     * Meta announces the current one's end.
     */
    @Matches(/^v\d{1,3}\.\d{1,2}$/, { message: 'must be a Graph API version such as v25.0' })
    META_GRAPH_VERSION = 'v25.0';

    /**
     * Facebook Login's dialog; defaults to https://www.facebook.com/<META_GRAPH_VERSION>/dialog/oauth
     * (the emulator's: http://127.0.0.1:3200/v25.0/dialog/oauth).
     */
    @IsOptional()
    @IsUrl(HTTP_URL, {
      message: 'must be an http(s) URL such as https://www.facebook.com/v25.0/dialog/oauth',
    })
    META_DIALOG_URL?: string;

    /**
     * The redirect URI registered with the Meta app (Facebook Login → Valid OAuth Redirect URIs);
     * defaults to PUBLIC_URL/oauth/callback/meta. It must be this API's callback route.
     */
    @IsOptional()
    @IsUrl(HTTP_URL, { message: 'must be an http(s) URL ending in /oauth/callback/meta' })
    META_REDIRECT_URI?: string;

    /**
     * The app's request budget, shared by every process through Redis when REDIS_URL is set. Meta
     * counts custom-audience calls per ad account and hour and throttles past it (80003); Conduit also
     * pauses when Meta says so. The default (5 a second, 80 a minute) stays under the Limited tier.
     */
    @ToInt()
    @IsInt({ message: 'must be a whole number of requests per second' })
    @Min(1)
    @Max(10_000)
    META_RATE_LIMIT_QPS = 5;

    @ToInt()
    @IsInt({ message: 'must be a whole number of requests per minute' })
    @Min(1)
    @Max(600_000)
    META_RATE_LIMIT_QPM = 80;

    /** Rows per upload request (Meta takes at most 10,000). */
    @ToInt()
    @IsInt({ message: 'must be a whole number of rows' })
    @Min(1)
    @Max(10_000)
    META_BATCH_ROWS = 10_000;
  }
  return MetaEnvSection;
}
