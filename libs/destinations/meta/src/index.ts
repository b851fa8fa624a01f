// @conduit/destinations-meta: Meta (Facebook) Marketing API customer-list custom audiences.
export {
  MetaProvider,
  META_AUDIENCE_REFERENCE,
  META_DEFAULT_QUOTA,
  META_PROVIDER_ID,
  REPLACE_WINDOW_MS,
  type MetaProviderOptions,
} from './meta.provider';
export { META_ACTIONS, META_FIELDS, type MetaAction } from './meta.fields';
export {
  MetaClient,
  type MetaAdAccount,
  type MetaAudienceSummary,
  type MetaClientOptions,
} from './meta.client';
export { mapGraphError } from './meta.errors';
export * from './api-version';
