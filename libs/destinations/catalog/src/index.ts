// @conduit/destinations-catalog: the providers this build ships, wired from deployment settings.
export {
  buildDestinationRegistry,
  PROVIDER_ENTRIES,
  PROVIDER_FIELD_SCHEMAS,
  type CatalogOptions,
} from './catalog';
export type {
  ProviderDeploymentOptions,
  ProviderEntry,
  ProviderSetup,
  SharedProviderServices,
} from './provider-entry';
export { registryFromEnv, sharedLimitsFromEnv } from './from-env';
export { RedisRateLimiter } from './redis-rate-limiter';
