import { ConduitEnv, IsPort, ToInt } from '@conduit/config';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const PER_SECOND = 'must be a whole number of requests per second from 0 (no limit) to 100000';
const PER_MINUTE = 'must be a whole number of requests per minute from 0 (no limit) to 6000000';

/** The API's environment: validated once at boot, every problem reported together. */
export class ApiEnv extends ConduitEnv {
  /** TCP port the HTTP server listens on. */
  @IsPort()
  PORT = 3000;

  /** Interface to bind: 127.0.0.1 for a laptop, 0.0.0.0 in a container. */
  @IsString()
  @IsNotEmpty()
  HOST = '127.0.0.1';

  /** Public base URL of this API (used in links we hand out); defaults to http://localhost:PORT. */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL such as https://conduit.example.com' })
  PUBLIC_URL?: string;

  /**
   * When set, GET /metrics (Prometheus) needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open
   * like /health (bind HOST to a private interface, or let the reverse proxy keep /metrics in).
   */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,512}$/, {
    message: 'must be 16 to 512 printable characters without spaces, e.g. from `openssl rand -hex 24`',
  })
  METRICS_TOKEN?: string;

  /** How long an authorize URL (its OAuth state) stays usable. */
  @ToInt()
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(60)
  @Max(3600)
  OAUTH_STATE_TTL_SECONDS = 600;

  /**
   * Where the browser lands after an OAuth callback, with `authorizationId`, `status` and, on failure,
   * `error` and `message` in the query. Defaults to this API's own result page (/oauth/result).
   */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL such as https://app.example.com/integrations' })
  OAUTH_RETURN_URL?: string;

  /**
   * Requests one API key may make per second and per minute, counted across every API process through
   * Redis when REDIS_URL is set (in this process otherwise). Over either, the API answers 429
   * `RATE_LIMITED` with `Retry-After`. `0` turns that window off.
   */
  @ToInt()
  @IsInt({ message: PER_SECOND })
  @Min(0, { message: PER_SECOND })
  @Max(100_000, { message: PER_SECOND })
  API_RATE_LIMIT_PER_SECOND = 20;

  @ToInt()
  @IsInt({ message: PER_MINUTE })
  @Min(0, { message: PER_MINUTE })
  @Max(6_000_000, { message: PER_MINUTE })
  API_RATE_LIMIT_PER_MINUTE = 600;
}
