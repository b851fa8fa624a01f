import { IsNotEmpty, IsString } from 'class-validator';
import { IsLogLevel, IsOptionalPostgresUrl, type LogLevel } from './env-decorators';

/** Variables every Conduit process reads: where the data lives and how much to log. */
export class BaseEnv {
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
