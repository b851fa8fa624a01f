import type { ProviderObserver, RequestRateLimiter } from '@conduit/destinations-core';

// What TikTokClient takes and gives: camelCase, ids as strings. The wire's snake_case shapes are in
// @conduit/destinations-tiktok-wire.

export interface TikTokClientOptions {
  /** The API base, e.g. https://business-api.tiktok.com/open_api/v1.3 or the emulator's. */
  baseUrl: string;
  /** Per request, answer included (default 30 s). */
  timeoutMs?: number;
  /** For file uploads (default 10 min: files reach 250 MB). */
  uploadTimeoutMs?: number;
  /** Awaited before every request: TikTok's limits are per developer app. */
  rateLimiter?: RequestRateLimiter;
  /** The limiter key, i.e. the developer app id. */
  rateLimitKey?: string;
  /** Told of every request's endpoint, answer code and latency (metrics). */
  observer?: ProviderObserver;
}

export interface TikTokAppCredentials {
  appId: string;
  secret: string;
}

export interface TikTokIssuedToken {
  accessToken: string;
  advertiserIds: string[];
  scope: number[];
}

export interface TikTokAuthorizedAdvertiser {
  advertiserId: string;
  advertiserName: string;
}

/** Nothing here is required: the connector calls user/info/ only to learn that the token works. */
export interface TikTokUserInfo {
  coreUserId?: string;
  displayName: string;
  email?: string;
}

export interface TikTokAdvertiserInfo {
  advertiserId: string;
  name: string;
  status: string;
}

export interface TikTokUploadInput {
  advertiserId: string;
  calculateType: string;
  /** The local file to upload (streamed from disk). */
  path: string;
  /** The name TikTok sees: must end in .csv or .txt. */
  fileName: string;
  /** MD5 hex of the file bytes (TikTok's `file_signature`). */
  md5: string;
}

export interface TikTokCreateAudienceInput {
  advertiserId: string;
  name: string;
  calculateType: string;
  filePaths: string[];
  retentionInDays?: number;
}

export type TikTokUpdateAction = 'APPEND' | 'REMOVE' | 'REPLACE';

export interface TikTokUpdateAudienceInput {
  advertiserId: string;
  audienceId: string;
  action: TikTokUpdateAction;
  filePaths: string[];
  name?: string;
}

export interface TikTokListAudiencesInput {
  advertiserId: string;
  page?: number;
  /** 1 to 100 (TikTok's default: 10). */
  pageSize?: number;
  audienceIds?: string[];
}

export interface TikTokAudienceSummary {
  audienceId: string;
  name: string;
  /** Matched users; 0 while processing. */
  coverNum: number;
  isValid: boolean;
  isExpiring: boolean;
  calculateType: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC (see parseTikTokTime). */
  createTime: string;
  expiredTime: string;
}

export interface TikTokAudienceList {
  audiences: TikTokAudienceSummary[];
  page: { page: number; pageSize: number; totalNumber: number; totalPage: number };
}

export interface TikTokGetAudiencesInput {
  advertiserId: string;
  audienceIds: string[];
  /** History entries per audience, newest first (1 to 100). */
  historySize?: number;
}

export interface TikTokAudienceDetails {
  audienceId: string;
  name: string;
  coverNum: number;
  isValid: boolean;
  calculateType: string;
  /** TikTok's status note (e.g. "Processing"); '' when none. */
  message: string;
  /** Why the audience failed; '' when it did not. */
  errorMessage: string;
  history: { action: string; optTime: string }[];
}

export interface TikTokDeleteAudiencesInput {
  advertiserId: string;
  audienceIds: string[];
}
