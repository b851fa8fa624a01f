import { IsLogLevel, IsPort, ToInt, type LogLevel } from '@conduit/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsString, Matches, Max, Min } from 'class-validator';

const toNumber = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value,
  );

const GRAPH_VERSION = /^v\d{1,3}\.0$/;

/** The Meta emulator's environment. Defaults give a working local Meta for development. */
export class MetaEmulatorEnv {
  @IsPort()
  META_EMULATOR_PORT = 3200;

  @IsString()
  @IsNotEmpty()
  META_EMULATOR_HOST = '127.0.0.1';

  /** The developer app Conduit authenticates as (not a real Meta credential). */
  @Matches(/^\d{1,20}$/, { message: 'must be a numeric app id' })
  META_EMULATOR_APP_ID = '1100000000000001';

  @IsString()
  @IsNotEmpty()
  META_EMULATOR_APP_SECRET = 'emulator-meta-app-secret';

  /** Comma-separated "Valid OAuth Redirect URIs" of the app. */
  @Matches(/^https?:\/\/[^,\s]+(,\s*https?:\/\/[^,\s]+)*$/, {
    message: 'must be comma-separated http(s) URLs',
  })
  META_EMULATOR_REDIRECT_URIS =
    'http://localhost:3000/oauth/callback/meta,http://127.0.0.1:3000/oauth/callback/meta';

  /**
   * Comma-separated `id:name:tos` ad accounts of the emulated person; `tos` is 1 when the
   * custom-audience terms are accepted, 0 when not.
   */
  @Matches(/^\s*\d{1,20}:[^,:]+:[01](\s*,\s*\d{1,20}:[^,:]+:[01])*\s*$/, {
    message: 'must look like 1200000000000001:Shop One:1,1200000000000002:Shop Two:0',
  })
  META_EMULATOR_AD_ACCOUNTS =
    '1200000000000001:Emulated Ad Account One:1,1200000000000002:Emulated Ad Account Two (terms not accepted):0';

  /** The version served for unversioned paths, and the newest one. */
  @Matches(GRAPH_VERSION, { message: 'must look like v25.0' })
  META_EMULATOR_GRAPH_VERSION = 'v25.0';

  /** Older versions answer 2635 (deprecated). */
  @Matches(GRAPH_VERSION, { message: 'must look like v23.0' })
  META_EMULATOR_OLDEST_GRAPH_VERSION = 'v23.0';

  /** Lifetime of a token from the code exchange, in seconds (Meta: 1–2 hours). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(366 * 86_400)
  META_EMULATOR_SHORT_TOKEN_TTL_S = 7200;

  /** Lifetime of a long-lived token, in seconds (Meta: about 60 days). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(366 * 86_400)
  META_EMULATOR_LONG_TOKEN_TTL_S = 60 * 86_400;

  @ToInt()
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  META_EMULATOR_PROCESSING_DELAY_MS = 3000;

  /** Calls per hour per ad account before 80003 (Meta Limited tier: 5000 + 40 per audience). */
  @ToInt()
  @IsInt()
  @Min(1)
  META_EMULATOR_CUSTOM_AUDIENCE_CALLS_PER_HOUR = 5000;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(86_400_000)
  META_EMULATOR_THROTTLE_WINDOW_MS = 3_600_000;

  /** HTTP status of a throttle answer (Meta's is UNCONFIRMED: 400 or 429). */
  @ToInt()
  @IsIn([400, 429])
  META_EMULATOR_THROTTLE_HTTP_STATUS = 400;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(512)
  META_EMULATOR_MAX_BODY_MB = 32;

  /** `true`: every user-token call must carry appsecret_proof (a sent proof is always checked). */
  @IsIn(['true', 'false'])
  META_EMULATOR_REQUIRE_APPSECRET_PROOF: 'true' | 'false' = 'false';

  @ToInt()
  @IsInt()
  META_EMULATOR_SEED = 1;

  /** Fraction of calls answered code 2, HTTP 500 (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  META_EMULATOR_FAULT_TRANSIENT_RATE = 0;

  /** Fraction of calls answered HTTP 503 "Service Unavailable" (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  META_EMULATOR_FAULT_HTTP5XX_RATE = 0;

  /** Fraction of calls whose connection is dropped (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  META_EMULATOR_FAULT_DROP_RATE = 0;

  /** Fraction of calls carried out whose answer is then lost (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  META_EMULATOR_FAULT_LOST_ANSWER_RATE = 0;

  /** Fraction of calls answered 80003 whatever the throttle says (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  META_EMULATOR_FAULT_THROTTLED_RATE = 0;

  /** Fraction of calls carried out whose answer is cut mid-body (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  META_EMULATOR_FAULT_CUT_BODY_RATE = 0;

  @ToInt()
  @IsInt()
  @Min(0)
  @Max(600_000)
  META_EMULATOR_FAULT_LATENCY_MS = 0;

  @IsLogLevel()
  LOG_LEVEL: LogLevel = 'info';
}
