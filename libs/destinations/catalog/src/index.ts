// @conduit/destinations-catalog: the providers this build ships, wired from deployment settings.
export { buildDestinationRegistry, type ProviderSettings, type CatalogOptions } from './catalog';
export { registryFromEnv } from './from-env';
