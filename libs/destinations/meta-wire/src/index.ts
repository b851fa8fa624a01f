// @conduit/destinations-meta-wire: the Meta Marketing API's wire types and their Ajv schemas,
// shared by the Meta connector (it checks every answer against them) and the Meta emulator (it
// validates requests against them), so neither depends on the other.
export { META_GRAPH_VERSION, GRAPH_VERSION_PATTERN } from './graph-version';
export { compileWire, describeErrors, type WireCheck } from './wire-validator';
export { GraphCode, GraphSubcode } from './graph-codes';
export {
  WIRE_GRAPH_ERROR_SCHEMA,
  WIRE_SUCCESS_ANSWER_SCHEMA,
  type WireGraphError,
  type WireSuccessAnswer,
} from './graph-error.wire';
export {
  META_AUDIENCE_SCOPES,
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_DEBUG_TOKEN_ANSWER_SCHEMA,
  type WireAccessTokenAnswer,
  type WireAccessTokenRequest,
  type WireDebugTokenAnswer,
} from './oauth.wire';
export {
  customAudienceTermsUrl,
  WIRE_AD_ACCOUNT_LIST_SCHEMA,
  WIRE_AD_ACCOUNT_TERMS_SCHEMA,
  type WireAdAccount,
  type WireAdAccountList,
  type WireAdAccountTerms,
  type WirePaging,
} from './ad-account.wire';
export {
  AUDIENCE_DESCRIPTION_MAX_LENGTH,
  AUDIENCE_NAME_MAX_LENGTH,
  AUDIENCE_STATE_FIELDS,
  AudienceDeliveryStatus,
  AudienceOperationStatus,
  CUSTOMER_FILE_SOURCES,
  WIRE_CREATE_CUSTOM_AUDIENCE_ANSWER_SCHEMA,
  WIRE_CREATE_CUSTOM_AUDIENCE_REQUEST_SCHEMA,
  WIRE_CUSTOM_AUDIENCE_LIST_SCHEMA,
  WIRE_CUSTOM_AUDIENCE_SCHEMA,
  type CustomerFileSource,
  type WireAudienceStatus,
  type WireCreateCustomAudienceAnswer,
  type WireCreateCustomAudienceRequest,
  type WireCustomAudience,
  type WireCustomAudienceList,
} from './custom-audience.wire';
export {
  MAX_CELL_LENGTH,
  MAX_ROWS_PER_REQUEST,
  MULTI_KEYS,
  SINGLE_KEYS,
  UNHASHED_KEYS,
  WIRE_USERS_ANSWER_SCHEMA,
  WIRE_USERS_PAYLOAD_SCHEMA,
  WIRE_USERS_SESSION_SCHEMA,
  type MultiKey,
  type SingleKey,
  type WireUsersAnswer,
  type WireUsersPayload,
  type WireUsersSession,
} from './users.wire';
export {
  USAGE_HEADERS,
  WIRE_AD_ACCOUNT_USAGE_SCHEMA,
  WIRE_APP_USAGE_SCHEMA,
  WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA,
  type WireAdAccountUsage,
  type WireAppUsage,
  type WireBusinessUseCaseEntry,
  type WireBusinessUseCaseUsage,
} from './usage-headers.wire';
