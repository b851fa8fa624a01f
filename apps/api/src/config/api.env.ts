import { BaseEnv, IsPort } from '@conduit/config';
import { IsNotEmpty, IsString, IsUrl, IsOptional } from 'class-validator';

/** The API's environment: validated once at boot, every problem reported together. */
export class ApiEnv extends BaseEnv {
  /** TCP port the HTTP server listens on. */
  @IsPort()
  PORT = 3000;

  /** Interface to bind: 127.0.0.1 for a laptop, 0.0.0.0 in a container. */
  @IsString()
  @IsNotEmpty()
  HOST = '127.0.0.1';

  /** Public base URL of this API (used in links we hand out); defaults to http://localhost:PORT. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL such as https://conduit.example.com' },
  )
  PUBLIC_URL?: string;
}
