export { InvalidEnvironmentError, validateEnv } from './validate-env';
export {
  IsEncryptionKeys,
  IsHostList,
  splitList,
  IsLogLevel,
  IsOptionalPostgresUrl,
  IsPort,
  LOG_LEVELS,
  ToInt,
  type LogLevel,
} from './env-decorators';
export { BaseEnv } from './base.env';
export { ProvidersEnv, providersEnvFrom, type ProviderVariables } from './providers.env';
export { ConduitEnv, segmentSettingsOf } from './conduit.env';
