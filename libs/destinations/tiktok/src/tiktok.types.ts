// TikTok Marketing API v1.3 on the wire: snake_case, as TikTok sends and expects it. The client maps
// these to the camelCase shapes it exposes; nothing outside the client should need them.

/**
 * A number as the client's JSON parser hands it over: integers beyond 2^53 (TikTok's 19-digit ids
 * when sent unquoted) arrive as their exact decimal string, every other number as a number.
 */
export type WireNumber = number | string;

/** An id: TikTok documents strings, but a number (safe or not) must be accepted and turned into one. */
export type WireId = string | number;

/** Every TikTok answer, success or failure (`code: 0` is success; errors usually come with HTTP 200). */
export interface TikTokEnvelope<T = unknown> {
  code: number;
  message: string;
  request_id: string;
  data: T;
}

// ---------------------------------------------------------------------------------------------
// OAuth
// ---------------------------------------------------------------------------------------------

/** POST oauth2/access_token/ */
export interface WireAccessTokenRequest {
  app_id: string;
  secret: string;
  auth_code: string;
}

export interface WireAccessTokenData {
  access_token: string;
  advertiser_ids: WireId[];
  scope: WireNumber[];
}

/** GET oauth2/advertiser/get/?app_id&secret */
export interface WireAuthorizedAdvertisersData {
  list: { advertiser_id: WireId; advertiser_name: string }[];
}

/** POST oauth2/revoke_token/ (body unconfirmed by TikTok; the one third-party connectors send). */
export interface WireRevokeTokenRequest {
  app_id: string;
  secret: string;
  access_token: string;
}

// ---------------------------------------------------------------------------------------------
// User and advertisers
// ---------------------------------------------------------------------------------------------

/** GET user/info/ */
export interface WireUserInfoData {
  core_user_id: WireId;
  display_name: string;
  email?: string;
  create_time?: WireNumber;
}

/** GET advertiser/info/?advertiser_ids=[...] */
export interface WireAdvertiserInfoData {
  list: { advertiser_id: WireId; name: string; status: string }[];
}

// ---------------------------------------------------------------------------------------------
// Customer-file audiences
// ---------------------------------------------------------------------------------------------

/** POST dmp/custom_audience/file/upload/ (multipart: advertiser_id, calculate_type, file_signature, file). */
export interface WireFileUploadData {
  file_path: string;
}

/** POST dmp/custom_audience/create/ */
export interface WireCreateAudienceRequest {
  advertiser_id: string;
  custom_audience_name: string;
  calculate_type: string;
  file_paths: string[];
  audience_sub_type: 'NORMAL';
  retention_in_days?: number;
}

/** POST dmp/custom_audience/update/ */
export interface WireUpdateAudienceRequest {
  advertiser_id: string;
  custom_audience_id: string;
  action: 'APPEND' | 'REMOVE' | 'REPLACE';
  file_paths: string[];
  custom_audience_name?: string;
}

/** Answer of create/ and update/. */
export interface WireAudienceIdData {
  custom_audience_id: WireId;
}

/** One row of GET dmp/custom_audience/list/ (and `audience_details` of get/). Times: `YYYY-MM-DD HH:MM:SS` UTC. */
export interface WireAudienceSummary {
  audience_id: WireId;
  name: string;
  cover_num: WireNumber;
  is_valid: boolean;
  is_expiring: boolean;
  calculate_type: string;
  create_time: string;
  expired_time: string;
  is_creator?: boolean;
  shared?: boolean;
  audience_type?: string;
}

/** GET dmp/custom_audience/list/?advertiser_id&page&page_size&custom_audience_ids=[...] */
export interface WireAudienceListData {
  list: WireAudienceSummary[];
  page_info: { page: WireNumber; page_size: WireNumber; total_number: WireNumber; total_page: WireNumber };
}

/** GET dmp/custom_audience/get/?advertiser_id&custom_audience_ids=[...]&history_size */
export interface WireAudienceGetData {
  list: {
    audience_details: WireAudienceSummary & { msg?: string; error_msg?: string };
    audience_history?: { action: string; opt_time: string; action_detail?: string; editor?: string }[];
  }[];
}

/** POST dmp/custom_audience/delete/ */
export interface WireDeleteAudiencesRequest {
  advertiser_id: string;
  custom_audience_ids: string[];
}
