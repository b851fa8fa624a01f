// @conduit/destinations-tiktok: TikTok Marketing API v1.3 customer-file audiences.
export {
  TikTokProvider,
  TIKTOK_AUDIENCE_REFERENCE,
  TIKTOK_BASIC_QUOTA,
  TIKTOK_PROVIDER_ID,
  type TikTokProviderOptions,
} from './tiktok.provider';
export { TIKTOK_FIELDS, TIKTOK_ACTIONS, type TikTokAction } from './tiktok.fields';
export {
  TikTokClient,
  type TikTokAudienceDetails,
  type TikTokAudienceList,
  type TikTokAudienceSummary,
  type TikTokClientOptions,
  type TikTokUpdateAction,
} from './tiktok.client';
export { mapTikTokError } from './tiktok.errors';
export * from './api-version';
