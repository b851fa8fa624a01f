import { IsLogLevel, IsOptionalPostgresUrl, IsPort, type LogLevel } from '@conduit/config';
import { IsNotEmpty, IsString, IsUrl, IsOptional } from 'class-validator';

/** The API's environment: validated once at boot, every problem reported together. */
export class ApiEnv {
  /** TCP port the HTTP server listens on. */
  @IsPort()
  PORT = 3000;

  /** Interface to bind: 127.0.0.1 for a laptop, 0.0.0.0 in a container. */
  @IsString()
  @IsNotEmpty()
  HOST = '127.0.0.1';

  /** Public base URL of this API (used in links we hand out); defaults to http://localhost:PORT. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL such as https://conduit.example.com' })
  PUBLIC_URL?: string;

  /** PostgreSQL URL; unset means the embedded SQLite database under CONDUIT_DATA_DIR. */
  @IsOptionalPostgresUrl()
  DATABASE_URL?: string;

  /** Folder for the embedded database and local files. */
  @IsString()
  @IsNotEmpty()
  CONDUIT_DATA_DIR = './data';

  @IsLogLevel()
  LOG_LEVEL: LogLevel = 'info';
}
