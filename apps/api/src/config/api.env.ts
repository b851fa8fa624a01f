import { ConduitEnv, IsPort, ToInt } from '@conduit/config';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

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
}
