import type { ProviderVariables } from '@conduit/config';
import type {
  DestinationProvider,
  FieldDefinition,
  ProviderObserver,
  RateLimits,
  RequestRateLimiter,
  RetryPolicy,
} from '@conduit/destinations-core';

/** What every provider's deployment options carry: the request quota its app was granted, if not the default. */
export interface ProviderDeploymentOptions {
  quota?: RateLimits;
}

/** A provider's options from the environment, or why this deployment cannot offer it. */
export type ProviderSetup<Options> =
  | { readonly options: Options }
  /** What an operator must do, naming the variables to set (shown by GET /providers). */
  | { readonly unavailable: string };

/** What the catalog hands every provider it builds: the same services for all of them. */
export interface SharedProviderServices {
  /** Holds the provider to its app's quota (shared by every process through Redis when configured). */
  rateLimiter: RequestRateLimiter;
  /** Where the provider writes files before upload. */
  workDirectory?: string;
  /** How the provider retries a call that failed for a passing reason. */
  retryPolicy?: RetryPolicy;
  /** Told of every provider request and rate-limit wait (the app's metrics). */
  observer?: ProviderObserver;
}

/**
 * One provider this build ships (`providers/<id>.entry.ts`): how to read its settings from the
 * validated environment and how to build it. The catalog's list of entries is the one place that
 * names providers; the apps, the domain and the API never do.
 */
export interface ProviderEntry<Options extends ProviderDeploymentOptions = ProviderDeploymentOptions> {
  readonly id: string;
  readonly displayName: string;
  /** Its destination config fields, configured or not (API docs, validation help). */
  readonly fields: readonly FieldDefinition[];
  /** The quota its app has when the options name none (e.g. TikTok's Basic tier). */
  readonly defaultQuota: RateLimits;
  /** Its options from the providers' variables, or why it is unavailable (which variables to set). */
  fromEnv(env: ProviderVariables): ProviderSetup<Options>;
  /** The provider, with its options and the services shared by every provider. */
  create(options: Options, shared: SharedProviderServices): DestinationProvider;
}
