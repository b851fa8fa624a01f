// @conduit/destinations-tiktok-wire: the TikTok Marketing API v1.3's wire types and their Ajv schemas,
// shared by the TikTok connector (it checks every answer against them) and the TikTok emulator (it
// answers the documented shapes, typed by them), so neither depends on the other. TikTok's own spec
// fragments describe requests well but give most answers as an empty `data`: these schemas describe
// the answers, and require only what a connector acts on.
export { compileWire, problemOf, type WireCheck, type WireProblem } from './wire-validator';
export {
  COUNT_SCHEMA,
  ID_SCHEMA,
  TEXT_SCHEMA,
  type TikTokEnvelope,
  type WireId,
  type WireNumber,
  type WireTime,
} from './wire-values';
export { WIRE_NOTHING_REQUIRED_SCHEMA, type WireNothingRequired } from './envelope.wire';
export {
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA,
  type WireAccessTokenAnswer,
  type WireAccessTokenData,
  type WireAccessTokenRequest,
  type WireAuthorizedAdvertisersAnswer,
  type WireAuthorizedAdvertisersData,
  type WireRevokeTokenRequest,
} from './oauth.wire';
export {
  WIRE_ADVERTISER_INFO_ANSWER_SCHEMA,
  type WireAdvertiserInfoAnswer,
  type WireAdvertiserInfoData,
  type WireUserInfoData,
} from './advertiser.wire';
export {
  WIRE_AUDIENCE_GET_ANSWER_SCHEMA,
  WIRE_AUDIENCE_ID_ANSWER_SCHEMA,
  WIRE_AUDIENCE_LIST_ANSWER_SCHEMA,
  WIRE_FILE_UPLOAD_ANSWER_SCHEMA,
  type WireAudienceDetails,
  type WireAudienceDetailsAnswer,
  type WireAudienceGetAnswer,
  type WireAudienceGetData,
  type WireAudienceHistoryEntry,
  type WireAudienceIdAnswer,
  type WireAudienceIdData,
  type WireAudienceListAnswer,
  type WireAudienceListData,
  type WireAudienceSummary,
  type WireAudienceSummaryAnswer,
  type WireCreateAudienceRequest,
  type WireDeleteAudiencesRequest,
  type WireFileUploadAnswer,
  type WireFileUploadData,
  type WirePageInfo,
  type WirePageInfoAnswer,
  type WireUpdateAction,
  type WireUpdateAudienceRequest,
} from './audience.wire';
