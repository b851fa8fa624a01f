import { stat } from 'node:fs/promises';
import { PayloadValidationError } from '@conduit/destinations-core';
import {
  compileWire,
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_ADVERTISER_INFO_ANSWER_SCHEMA,
  WIRE_AUDIENCE_GET_ANSWER_SCHEMA,
  WIRE_AUDIENCE_ID_ANSWER_SCHEMA,
  WIRE_AUDIENCE_LIST_ANSWER_SCHEMA,
  WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA,
  WIRE_FILE_UPLOAD_ANSWER_SCHEMA,
  WIRE_NOTHING_REQUIRED_SCHEMA,
  type WireAccessTokenRequest,
  type WireCreateAudienceRequest,
  type WireDeleteAudiencesRequest,
  type WireId,
  type WireRevokeTokenRequest,
  type WireUpdateAudienceRequest,
} from '@conduit/destinations-tiktok-wire';
import type { MultipartUpload } from './multipart-upload';
import { isJsonObject, systemCode, TikTokHttp, type Json } from './tiktok-http';
import type {
  TikTokAdvertiserInfo,
  TikTokAppCredentials,
  TikTokAudienceDetails,
  TikTokAudienceList,
  TikTokAuthorizedAdvertiser,
  TikTokClientOptions,
  TikTokCreateAudienceInput,
  TikTokDeleteAudiencesInput,
  TikTokGetAudiencesInput,
  TikTokIssuedToken,
  TikTokListAudiencesInput,
  TikTokUpdateAudienceInput,
  TikTokUploadInput,
  TikTokUserInfo,
} from './tiktok.client.types';

export type * from './tiktok.client.types';

// Every answer is checked against its schema before it is read: the schemas require what the
// connector acts on (a token, an id, a file path, page totals, an audience's size) and nothing else.
const ACCESS_TOKEN = compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA);
const AUTHORIZED_ADVERTISERS = compileWire(WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA);
const ADVERTISER_INFO = compileWire(WIRE_ADVERTISER_INFO_ANSWER_SCHEMA);
const FILE_UPLOAD = compileWire(WIRE_FILE_UPLOAD_ANSWER_SCHEMA);
const AUDIENCE_ID = compileWire(WIRE_AUDIENCE_ID_ANSWER_SCHEMA);
const AUDIENCE_LIST = compileWire(WIRE_AUDIENCE_LIST_ANSWER_SCHEMA);
const AUDIENCE_GET = compileWire(WIRE_AUDIENCE_GET_ANSWER_SCHEMA);
const NOTHING_REQUIRED = compileWire(WIRE_NOTHING_REQUIRED_SCHEMA);

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_UPLOAD_TIMEOUT_MS = 600_000;
const MAX_PAGE_SIZE = 100;
/** TikTok's page size when none is asked for. */
const DEFAULT_PAGE_SIZE = 10;

/**
 * The TikTok Marketing API v1.3 over HTTP, and nothing more: no retries, no business rules. Every
 * call waits for the rate limiter, reads TikTok's `{code, message, request_id, data}` envelope and
 * throws the destination error taxonomy (never a bare Error). Ids are exposed as strings, parsed
 * without rounding. Tokens, secrets and auth codes never reach an error: URLs are never quoted
 * (oauth2/advertiser/get/ carries the secret in its query) and TikTok's messages are scrubbed.
 * An answer must match its schema (`@conduit/destinations-tiktok-wire`), which requires only what the
 * connector acts on (a token, an id, a file path, page totals, an audience's size); every other field
 * is read leniently, so TikTok leaving one out or changing its type never fails a call.
 */
export class TikTokClient {
  private readonly http: TikTokHttp;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;

  constructor(options: TikTokClientOptions) {
    this.http = new TikTokHttp({
      baseUrl: options.baseUrl,
      rateLimiter: options.rateLimiter,
      rateLimitKey: options.rateLimitKey ?? 'tiktok',
      observer: options.observer,
    });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
  }

  // ---------------------------------------------------------------------------------------------
  // OAuth
  // ---------------------------------------------------------------------------------------------

  /** Trades the single-use `auth_code` of the OAuth callback for a (non-expiring) advertiser token. */
  async exchangeAuthCode(input: TikTokAppCredentials & { authCode: string }): Promise<TikTokIssuedToken> {
    const body: WireAccessTokenRequest = {
      app_id: input.appId,
      secret: input.secret,
      auth_code: input.authCode,
    };
    const data = await this.http.send(ACCESS_TOKEN, {
      method: 'POST',
      path: 'oauth2/access_token/',
      json: body,
      timeoutMs: this.timeoutMs,
      secrets: [input.secret, input.authCode],
    });
    return {
      accessToken: data.access_token,
      // The accounts come from oauth2/advertiser/get/ (with names): these ids are informative only.
      advertiserIds: listOf(field(data, 'advertiser_ids')).flatMap((id) => optionalIdOf(id) ?? []),
      scope: listOf(field(data, 'scope'))
        .map(Number)
        .filter((scope) => Number.isInteger(scope)),
    };
  }

  async getAuthorizedAdvertisers(
    input: TikTokAppCredentials & { accessToken: string },
  ): Promise<TikTokAuthorizedAdvertiser[]> {
    const data = await this.http.send(AUTHORIZED_ADVERTISERS, {
      method: 'GET',
      path: 'oauth2/advertiser/get/',
      accessToken: input.accessToken,
      query: { app_id: input.appId, secret: input.secret },
      timeoutMs: this.timeoutMs,
      secrets: [input.secret, input.accessToken],
    });
    return data.list.map((advertiser) => ({
      advertiserId: idOf(advertiser.advertiser_id),
      advertiserName: textOf(field(advertiser, 'advertiser_name')),
    }));
  }

  async revokeToken(input: TikTokAppCredentials & { accessToken: string }): Promise<void> {
    const body: WireRevokeTokenRequest = {
      app_id: input.appId,
      secret: input.secret,
      access_token: input.accessToken,
    };
    await this.http.send(NOTHING_REQUIRED, {
      method: 'POST',
      path: 'oauth2/revoke_token/',
      accessToken: input.accessToken,
      json: body,
      timeoutMs: this.timeoutMs,
      secrets: [input.secret, input.accessToken],
    });
  }

  // ---------------------------------------------------------------------------------------------
  // User and advertisers
  // ---------------------------------------------------------------------------------------------

  /** The cheapest authenticated call: the connection health check. */
  async getUserInfo(accessToken: string): Promise<TikTokUserInfo> {
    const data = await this.http.send(NOTHING_REQUIRED, {
      method: 'GET',
      path: 'user/info/',
      accessToken,
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
    const coreUserId = optionalIdOf(data['core_user_id']);
    const email = textOf(data['email']);
    return {
      ...(coreUserId ? { coreUserId } : {}),
      displayName: textOf(data['display_name']),
      ...(email ? { email } : {}),
    };
  }

  async getAdvertiserInfo(
    accessToken: string,
    advertiserIds: readonly string[],
  ): Promise<TikTokAdvertiserInfo[]> {
    const data = await this.http.send(ADVERTISER_INFO, {
      method: 'GET',
      path: 'advertiser/info/',
      accessToken,
      query: { advertiser_ids: advertiserIds },
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
    return data.list.map((advertiser) => ({
      advertiserId: idOf(advertiser.advertiser_id),
      name: textOf(field(advertiser, 'name')),
      status: textOf(field(advertiser, 'status')),
    }));
  }

  // ---------------------------------------------------------------------------------------------
  // Customer-file audiences
  // ---------------------------------------------------------------------------------------------

  /** Uploads one customer file, streamed from disk (files reach 250 MB), and returns TikTok's `file_path`. */
  async uploadFile(accessToken: string, input: TikTokUploadInput): Promise<{ filePath: string }> {
    // Checked here because TikTok would only say so after receiving the whole file.
    if (!/\.(csv|txt)$/i.test(input.fileName)) {
      throw new PayloadValidationError(
        `TikTok accepts customer files named .csv or .txt only (got "${input.fileName}").`,
        { field: 'fileName' },
      );
    }
    let size: number | undefined;
    let problem = 'not a regular file';
    try {
      const found = await stat(input.path);
      if (found.isFile()) size = found.size;
    } catch (error) {
      problem = systemCode(error) ?? 'unreadable';
    }
    if (size === undefined) {
      throw new PayloadValidationError(
        `The customer file ${input.fileName} cannot be read for upload (${problem}).`,
        {
          field: 'file',
        },
      );
    }
    const upload: MultipartUpload = {
      // The file goes last so TikTok can validate the small fields before the bytes arrive.
      fields: [
        ['advertiser_id', input.advertiserId],
        ['calculate_type', input.calculateType],
        ['file_signature', input.md5],
      ],
      file: { field: 'file', path: input.path, name: input.fileName, size, contentType: 'text/csv' },
    };
    const data = await this.http.send(FILE_UPLOAD, {
      method: 'POST',
      path: 'dmp/custom_audience/file/upload/',
      accessToken,
      upload,
      timeoutMs: this.uploadTimeoutMs,
      secrets: [accessToken],
    });
    return { filePath: data.file_path };
  }

  async createAudience(
    accessToken: string,
    input: TikTokCreateAudienceInput,
  ): Promise<{ audienceId: string }> {
    const body: WireCreateAudienceRequest = {
      advertiser_id: input.advertiserId,
      custom_audience_name: input.name,
      calculate_type: input.calculateType,
      file_paths: input.filePaths,
      audience_sub_type: 'NORMAL',
      ...(input.retentionInDays === undefined ? {} : { retention_in_days: input.retentionInDays }),
    };
    const data = await this.http.send(AUDIENCE_ID, {
      method: 'POST',
      path: 'dmp/custom_audience/create/',
      accessToken,
      json: body,
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
    return { audienceId: idOf(data.custom_audience_id) };
  }

  async updateAudience(
    accessToken: string,
    input: TikTokUpdateAudienceInput,
  ): Promise<{ audienceId: string }> {
    const body: WireUpdateAudienceRequest = {
      advertiser_id: input.advertiserId,
      custom_audience_id: input.audienceId,
      action: input.action,
      file_paths: input.filePaths,
      ...(input.name === undefined ? {} : { custom_audience_name: input.name }),
    };
    const data = await this.http.send(NOTHING_REQUIRED, {
      method: 'POST',
      path: 'dmp/custom_audience/update/',
      accessToken,
      json: body,
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
    // The id is the one sent; TikTok echoes it, but an answer without it (or with an odd one) is still a success.
    return { audienceId: optionalIdOf(data['custom_audience_id']) ?? input.audienceId };
  }

  async listAudiences(accessToken: string, input: TikTokListAudiencesInput): Promise<TikTokAudienceList> {
    if (
      input.pageSize !== undefined &&
      (!Number.isInteger(input.pageSize) || input.pageSize < 1 || input.pageSize > MAX_PAGE_SIZE)
    ) {
      throw new PayloadValidationError(
        `TikTok lists 1 to ${MAX_PAGE_SIZE} audiences per page (got ${input.pageSize}).`,
        {
          field: 'pageSize',
        },
      );
    }
    const data = await this.http.send(AUDIENCE_LIST, {
      method: 'GET',
      path: 'dmp/custom_audience/list/',
      accessToken,
      query: {
        advertiser_id: input.advertiserId,
        page: input.page,
        page_size: input.pageSize,
        custom_audience_ids: input.audienceIds?.length ? input.audienceIds : undefined,
      },
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
    const audiences = data.list.map((summary) => ({
      audienceId: idOf(summary.audience_id),
      name: textOf(field(summary, 'name')),
      // Only get/ answers the size the connector reports; here it is informative.
      coverNum: optionalNumberOf(field(summary, 'cover_num')) ?? 0,
      isValid: field(summary, 'is_valid') === true,
      isExpiring: field(summary, 'is_expiring') === true,
      calculateType: textOf(field(summary, 'calculate_type')),
      createTime: textOf(field(summary, 'create_time')),
      expiredTime: textOf(field(summary, 'expired_time')),
    }));
    const pageInfo = data.page_info;
    return {
      audiences,
      page: {
        page: optionalNumberOf(field(pageInfo, 'page')) ?? input.page ?? 1,
        pageSize: optionalNumberOf(field(pageInfo, 'page_size')) ?? input.pageSize ?? DEFAULT_PAGE_SIZE,
        totalNumber: optionalNumberOf(pageInfo.total_number) ?? 0,
        totalPage: optionalNumberOf(pageInfo.total_page) ?? 0,
      },
    };
  }

  async getAudiences(accessToken: string, input: TikTokGetAudiencesInput): Promise<TikTokAudienceDetails[]> {
    const data = await this.http.send(AUDIENCE_GET, {
      method: 'GET',
      path: 'dmp/custom_audience/get/',
      accessToken,
      query: {
        advertiser_id: input.advertiserId,
        custom_audience_ids: input.audienceIds,
        history_size: input.historySize,
      },
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
    return data.list.map((entry) => {
      const details = entry.audience_details;
      return {
        audienceId: idOf(details.audience_id),
        name: textOf(field(details, 'name')),
        coverNum: optionalNumberOf(details.cover_num) ?? 0,
        isValid: field(details, 'is_valid') === true,
        calculateType: textOf(field(details, 'calculate_type')),
        message: textOf(field(details, 'msg')),
        errorMessage: textOf(field(details, 'error_msg')),
        history: listOf(field(entry, 'audience_history'))
          .filter(isJsonObject)
          .map((history) => ({ action: textOf(history['action']), optTime: textOf(history['opt_time']) })),
      };
    });
  }

  async deleteAudiences(accessToken: string, input: TikTokDeleteAudiencesInput): Promise<void> {
    const body: WireDeleteAudiencesRequest = {
      advertiser_id: input.advertiserId,
      custom_audience_ids: input.audienceIds,
    };
    await this.http.send(NOTHING_REQUIRED, {
      method: 'POST',
      path: 'dmp/custom_audience/delete/',
      accessToken,
      json: body,
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
  }
}

// -------------------------------------------------------------------------------------------------
/** An id the schema has checked: a non-empty string or a safe integer. */
function idOf(id: WireId): string {
  return String(id);
}

/** A field the schema does not require (it may be missing, or of any type). */
function field(from: object, name: string): unknown {
  return (from as Json)[name];
}

/** A string the connector does not act on: anything else reads as ''. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A list the connector does not act on: anything but a list reads as empty. */
function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An id the connector does not act on: a valid one, or undefined (never an error). */
function optionalIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
}

/** A count the connector does not act on: a number (or a digit string), or undefined (never an error). */
function optionalNumberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
    ? Number(value)
    : undefined;
}
