import {
  META_DEFAULT_QUOTA,
  META_FIELDS,
  META_PROVIDER_ID,
  MetaProvider,
  type MetaProviderOptions,
} from '@conduit/destinations-meta';
import type { ProviderEntry } from '../provider-entry';

/** Meta's deployment options: its app and endpoints; the shared services come from the catalog. */
type MetaDeploymentOptions = Omit<MetaProviderOptions, 'rateLimiter' | 'retryPolicy' | 'observer'>;

export const META_ENTRY: ProviderEntry<MetaDeploymentOptions> = {
  id: META_PROVIDER_ID,
  displayName: 'Meta Ads',
  fields: META_FIELDS,
  defaultQuota: META_DEFAULT_QUOTA,
  fromEnv: (env) =>
    env.META_APP_ID && env.META_APP_SECRET
      ? {
          options: {
            appId: env.META_APP_ID,
            appSecret: env.META_APP_SECRET,
            graphBaseUrl: env.META_GRAPH_BASE_URL,
            graphVersion: env.META_GRAPH_VERSION,
            dialogUrl: env.META_DIALOG_URL,
            redirectUri: env.META_REDIRECT_URI,
            quota: { perSecond: env.META_RATE_LIMIT_QPS, perMinute: env.META_RATE_LIMIT_QPM },
            batchRows: env.META_BATCH_ROWS,
          },
        }
      : {
          unavailable:
            'Meta is not configured on this Conduit: the operator must set META_APP_ID and META_APP_SECRET (an app with Facebook Login and the Marketing API, from Meta for Developers).',
        },
  create: (options, shared) => new MetaProvider({ ...options, ...shared }),
};
