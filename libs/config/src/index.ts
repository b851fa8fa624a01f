export { InvalidEnvironmentError, validateEnv } from './validate-env';
export {
  IsLogLevel,
  IsOptionalPostgresUrl,
  IsPort,
  LOG_LEVELS,
  ToInt,
  type LogLevel,
} from './env-decorators';
export { BaseEnv } from './base.env';
