// @conduit/destinations-meta: Meta (Facebook) Marketing API customer-list custom audiences.
export {
  MetaProvider,
  META_DEFAULT_QUOTA,
  META_PROVIDER_ID,
  type MetaProviderOptions,
} from './meta.provider';
export { META_AUDIENCE_REFERENCE } from './meta-audiences';
export { REPLACE_WINDOW_MS } from './meta-export-state';
export { META_ACTIONS, META_FIELDS, type MetaAction } from './meta.fields';
export {
  MetaClient,
  type MetaAdAccount,
  type MetaAudienceSummary,
  type MetaClientOptions,
} from './meta.client';
export { mapGraphError } from './meta.errors';
export * from './api-version';
