import { IsLogLevel, IsPort, ToInt, type LogLevel } from '@conduit/config';
import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsNumber, IsString, Matches, Max, Min } from 'class-validator';

const toNumber = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value,
  );

/** The emulator's environment. Defaults give a working local TikTok for `npm start`. */
export class EmulatorEnv {
  @IsPort()
  TIKTOK_EMULATOR_PORT = 3100;

  @IsString()
  @IsNotEmpty()
  TIKTOK_EMULATOR_HOST = '127.0.0.1';

  /** The developer app Conduit authenticates as (not a real TikTok credential). */
  @Matches(/^\d{1,20}$/, { message: 'must be a numeric app id' })
  TIKTOK_EMULATOR_APP_ID = '7100000000000000001';

  @IsString()
  @IsNotEmpty()
  TIKTOK_EMULATOR_APP_SECRET = 'emulator-app-secret';

  /** Comma-separated redirect URIs registered on the app. */
  @Matches(/^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/, { message: 'must be comma-separated http(s) URLs' })
  TIKTOK_EMULATOR_REDIRECT_URIS =
    'http://localhost:3000/oauth/callback/tiktok,http://127.0.0.1:3000/oauth/callback/tiktok';

  /** Comma-separated `advertiser_id:name` pairs granted on the consent page. */
  @Matches(/^\s*\d{1,20}:[^,:]+(,\s*\d{1,20}:[^,:]+)*$/, {
    message: 'must look like 7200000000000000001:Brand One,7200000000000000002:Brand Two',
  })
  TIKTOK_EMULATOR_ADVERTISERS =
    '7200000000000000001:Emulated Advertiser One,7200000000000000002:Emulated Advertiser Two';

  @ToInt()
  @IsInt()
  @Min(0)
  TIKTOK_EMULATOR_PROCESSING_DELAY_MS = 3000;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1024)
  TIKTOK_EMULATOR_MAX_FILE_MB = 250;

  @ToInt()
  @IsInt()
  @Min(1)
  TIKTOK_EMULATOR_RATE_LIMIT_QPS = 10;

  @ToInt()
  @IsInt()
  @Min(1)
  TIKTOK_EMULATOR_RATE_LIMIT_QPM = 600;

  @ToInt()
  @IsInt()
  @Min(1)
  TIKTOK_EMULATOR_MIN_UPDATE_SIZE = 1000;

  @ToInt()
  @IsInt()
  @Min(0)
  TIKTOK_EMULATOR_MIN_VALID_SIZE = 1000;

  @ToInt()
  @IsInt()
  TIKTOK_EMULATOR_SEED = 1;

  /** Fraction of calls answered with code 50000 (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  TIKTOK_EMULATOR_FAULT_SYSTEM_ERROR_RATE = 0;

  /** Fraction of calls answered HTTP 503 (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  TIKTOK_EMULATOR_FAULT_HTTP5XX_RATE = 0;

  /** Fraction of calls whose connection is dropped (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  TIKTOK_EMULATOR_FAULT_DROP_RATE = 0;

  /** Fraction of calls carried out whose answer is then lost (the connection drops) (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  TIKTOK_EMULATOR_FAULT_LOST_ANSWER_RATE = 0;

  /** Fraction of calls answered 40100 whatever the rate limiter says (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  TIKTOK_EMULATOR_FAULT_RATE_LIMITED_RATE = 0;

  /** Fraction of calls carried out whose answer is cut mid-body (the connection destroyed) (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  TIKTOK_EMULATOR_FAULT_CUT_BODY_RATE = 0;

  @ToInt()
  @IsInt()
  @Min(0)
  TIKTOK_EMULATOR_FAULT_LATENCY_MS = 0;

  /** Fraction of calls that wait TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_MS more (0–1). */
  @toNumber()
  @IsNumber()
  @Min(0)
  @Max(1)
  TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_RATE = 0;

  /** How long a latency spike lasts (at most 10 minutes). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(600_000)
  TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_MS = 5000;

  @IsLogLevel()
  LOG_LEVEL: LogLevel = 'info';
}
