// @conduit/destinations-catalog: the providers this build ships, wired from deployment settings.
export {
  buildDestinationRegistry,
  PROVIDER_FIELD_SCHEMAS,
  type CatalogOptions,
  type ProviderSettings,
} from './catalog';
export { registryFromEnv, sharedLimitsFromEnv } from './from-env';
export { RedisRateLimiter } from './redis-rate-limiter';
