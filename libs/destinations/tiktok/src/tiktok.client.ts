import { stat } from 'node:fs/promises';
import {
  isDestinationError,
  PayloadValidationError,
  ProviderApiError,
  RateLimitedError,
  RetryableError,
  notifyObserver,
  type DestinationError,
  type ProviderObserver,
  type RequestRateLimiter,
} from '@conduit/destinations-core';
import { isSafeNumber, parse as parseLosslessJson } from 'lossless-json';
import { AnswerCutError, AnswerTooLargeError, readBoundedAnswer } from './bounded-answer';
import { postMultipart, type MultipartUpload, type RawAnswer } from './multipart-upload';
import { mapTikTokError, TIKTOK_RATE_LIMIT_RETRY_MS, TIKTOK_SYSTEM_ERROR_RETRY_MS } from './tiktok.errors';
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
  type TikTokEnvelope,
  type WireAccessTokenRequest,
  type WireCheck,
  type WireCreateAudienceRequest,
  type WireDeleteAudiencesRequest,
  type WireId,
  type WireRevokeTokenRequest,
  type WireUpdateAudienceRequest,
} from '@conduit/destinations-tiktok-wire';

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

type QueryValue = string | number | readonly string[] | undefined;

interface TikTokRequest {
  method: 'GET' | 'POST';
  /** Relative to the base URL, with TikTok's trailing slash. */
  path: string;
  accessToken?: string;
  query?: Record<string, QueryValue>;
  json?: object;
  upload?: MultipartUpload;
  timeoutMs: number;
  /** Values to scrub from anything TikTok echoes back into an error. */
  secrets: readonly string[];
}

type Json = Record<string, unknown>;

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
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;
  private readonly rateLimiter?: RequestRateLimiter;
  private readonly rateLimitKey: string;
  private readonly observer?: ProviderObserver;

  constructor(options: TikTokClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
    this.rateLimiter = options.rateLimiter;
    this.rateLimitKey = options.rateLimitKey ?? 'tiktok';
    this.observer = options.observer;
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
    const data = await this.send(ACCESS_TOKEN, {
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
    const data = await this.send(AUTHORIZED_ADVERTISERS, {
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
    await this.send(NOTHING_REQUIRED, {
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
    const data = await this.send(NOTHING_REQUIRED, {
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
    const data = await this.send(ADVERTISER_INFO, {
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
    const data = await this.send(FILE_UPLOAD, {
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
    const data = await this.send(AUDIENCE_ID, {
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
    const data = await this.send(NOTHING_REQUIRED, {
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
    const data = await this.send(AUDIENCE_LIST, {
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
    const data = await this.send(AUDIENCE_GET, {
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
    await this.send(NOTHING_REQUIRED, {
      method: 'POST',
      path: 'dmp/custom_audience/delete/',
      accessToken,
      json: body,
      timeoutMs: this.timeoutMs,
      secrets: [accessToken],
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The wire
  // ---------------------------------------------------------------------------------------------

  /**
   * One request: rate limit, send, read the envelope; resolves with `data` of a `code: 0` answer once
   * it matches its schema (`check`).
   */
  private async send<T>(check: WireCheck<T>, request: TikTokRequest): Promise<T> {
    const endpoint = `${request.method} ${request.path}`;
    const secrets = request.secrets.filter((secret) => secret.length > 0);
    await this.acquireSlot(endpoint);

    const url = new URL(`${this.baseUrl}/${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue;
      // TikTok reads list-valued query parameters as JSON: custom_audience_ids=["1","2"].
      url.searchParams.set(
        name,
        typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value),
      );
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (request.accessToken !== undefined) headers['Access-Token'] = request.accessToken;
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(request.json);
    }

    let answer: RawAnswer;
    const startedAt = performance.now();
    const observe = (code: string) =>
      notifyObserver(this.observer, (observer) =>
        observer.requestFinished({
          provider: 'tiktok',
          endpoint,
          code,
          durationSeconds: (performance.now() - startedAt) / 1000,
        }),
      );
    try {
      const signal = AbortSignal.timeout(request.timeoutMs);
      if (request.upload) {
        answer = await postMultipart(url, headers, request.upload, signal);
      } else {
        const response = await fetch(url, {
          method: request.method,
          headers,
          body,
          // Never follow: fetch would replay the Access-Token header (only Authorization is dropped) to wherever TikTok's answer points.
          redirect: 'manual',
          signal,
        });
        answer = {
          status: response.status,
          // Bounded: a 20 MB (or endless) answer must not take the worker's memory.
          text: await readBoundedAnswer(response.body, response.headers.get('content-length')),
          logId: response.headers.get('x-tt-logid') ?? undefined,
        };
      }
    } catch (error) {
      const failure = transportError(error, endpoint, request.timeoutMs);
      const name = (error as { name?: unknown } | null)?.name;
      observe(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network');
      throw failure;
    }
    const { status, text, logId } = answer;

    const envelope = readEnvelope(text);
    observe(
      String(status >= 200 && status < 300 && envelope && envelope.code !== 0 ? envelope.code : status),
    );
    const requestId = envelope?.request_id || logId;
    // providerCode stays TikTok's own code (when a body came with the HTTP error); the status is in the message.
    const options = { requestId, providerCode: envelope && envelope.code !== 0 ? envelope.code : undefined };
    if (status === 429) {
      throw new RateLimitedError(
        `TikTok throttled ${endpoint} (HTTP 429); retrying after a pause.`,
        TIKTOK_RATE_LIMIT_RETRY_MS,
        options,
      );
    }
    if (status >= 500) {
      throw new RetryableError(
        `TikTok failed on ${endpoint} (HTTP ${status}); retrying with backoff.`,
        TIKTOK_SYSTEM_ERROR_RETRY_MS,
        options,
      );
    }
    if (status === 404) {
      throw new ProviderApiError(
        `TikTok answered HTTP 404 to ${endpoint}: endpoint not found: check the TikTok base URL.`,
        false,
        options,
      );
    }
    if (envelope && envelope.code !== 0) {
      throw mapTikTokError({
        code: envelope.code,
        message: capped(scrub(envelope.message, secrets)),
        requestId,
        endpoint,
      });
    }
    if (status >= 300 && status < 400) {
      throw new ProviderApiError(
        `TikTok answered ${endpoint} with a redirect (HTTP ${status}); check the TikTok base URL.`,
        false,
        options,
      );
    }
    if (status < 200 || status >= 300) {
      throw new ProviderApiError(`TikTok answered ${endpoint} with HTTP ${status}.`, false, options);
    }
    if (!envelope) {
      // A gateway's page or a truncated answer: usually transient. The body is described, never
      // quoted: it may echo what was sent (a token, the app secret) in forms no scrub can foresee.
      throw new ProviderApiError(
        `TikTok's answer to ${endpoint} is not a TikTok response (HTTP ${status}, ${describeNonEnvelope(text)}).`,
        true,
        options,
      );
    }
    const data = envelope.data === undefined || envelope.data === null ? {} : envelope.data;
    if (check(data)) return data;
    // Not retried: an answer of the wrong shape is a contract change, not a blip. The field is named by
    // its path, never quoted: it may be personal data or echo a credential.
    const problem = check.lastProblem ?? { path: 'data', expected: 'a valid answer' };
    throw new ProviderApiError(
      `TikTok's answer to ${endpoint} has no valid ${problem.path} (expected ${problem.expected}).`,
      false,
      { requestId },
    );
  }

  private async acquireSlot(endpoint: string): Promise<void> {
    if (!this.rateLimiter) return;
    try {
      await this.rateLimiter.acquire(this.rateLimitKey);
    } catch (error) {
      if (isDestinationError(error)) throw error;
      // A shared (e.g. Redis) limiter that cannot answer: nothing was sent, so trying later is safe.
      throw new RetryableError(
        `The TikTok rate limiter failed before ${endpoint}.`,
        TIKTOK_RATE_LIMIT_RETRY_MS,
        {
          cause: error,
        },
      );
    }
  }
}

// -------------------------------------------------------------------------------------------------

/**
 * Lossless: integers beyond 2^53 (19-digit ids sent unquoted) keep every digit as a string. Floats
 * that merely lose insignificant digits still become numbers.
 */
function parseJson(text: string): unknown {
  return parseLosslessJson(text, null, (value) =>
    isSafeNumber(value, { approx: true }) ? Number(value) : value,
  );
}

function readEnvelope(text: string): (TikTokEnvelope<unknown> & { code: number }) | undefined {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const envelope = value as Json;
  if (typeof envelope['code'] !== 'number') return undefined;
  return {
    code: envelope['code'],
    message: typeof envelope['message'] === 'string' ? envelope['message'] : '',
    request_id: typeof envelope['request_id'] === 'string' ? envelope['request_id'] : '',
    data: envelope['data'],
  };
}

/** Network failures and timeouts: nothing to quote but the system code (never the URL, which may hold the secret). */
function transportError(error: unknown, endpoint: string, timeoutMs: number): DestinationError {
  if (error instanceof AnswerTooLargeError) {
    // Not retried: no documented TikTok answer comes near the limit, so the same call would bring the
    // same oversized answer (a wrong base URL, a proxy); the export fails saying so, and can be retried.
    return new ProviderApiError(
      `TikTok's answer to ${endpoint} is larger than ${error.limitBytes / (1024 * 1024)} MB, far beyond any TikTok answer; ` +
        'reading stopped there. Check the TikTok base URL and any proxy in between.',
      false,
    );
  }
  if (error instanceof AnswerCutError) {
    // The call may have been carried out: the retry is safe because every caller is idempotent or
    // looks before it repeats (a create looks its audience up by name first).
    const code = systemCode(error.cause);
    return new RetryableError(
      `TikTok's answer to ${endpoint} was cut off mid-body (${code ?? 'connection closed'}).`,
      TIKTOK_SYSTEM_ERROR_RETRY_MS,
    );
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new RetryableError(
      `TikTok did not answer ${endpoint} within ${timeoutMs} ms.`,
      TIKTOK_SYSTEM_ERROR_RETRY_MS,
    );
  }
  const code = systemCode(error);
  return new RetryableError(
    `TikTok could not be reached for ${endpoint} (${code ?? 'network error'}).`,
    TIKTOK_SYSTEM_ERROR_RETRY_MS,
  );
}

/** ECONNREFUSED, UND_ERR_SOCKET, ENOENT…: the only part of a low-level error safe to repeat. */
function systemCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What a body that is not TikTok's envelope holds, without quoting it: kind, size, top-level keys. */
function describeNonEnvelope(text: string): string {
  const size = `${Buffer.byteLength(text)} bytes`;
  if (text.trim() === '') return 'an empty body';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return /^\s*</.test(text) ? `not JSON but an HTML or XML page, ${size}` : `not JSON, ${size}`;
  }
  if (!isJsonObject(value))
    return `JSON but not an object (${Array.isArray(value) ? 'a list' : typeof value}), ${size}`;
  // Key names only, and only plain ones: a value (or a key made of one) is never repeated.
  const keys = Object.keys(value).filter((key) => /^[A-Za-z][A-Za-z0-9_]{0,23}$/.test(key));
  const listed = keys.length
    ? `; its keys: ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}`
    : '';
  return `JSON without TikTok's envelope (no numeric code)${listed}, ${size}`;
}

/** TikTok's own message, kept to a readable length (the whole answer may reach the 1 MB bound). */
function capped(message: string, max = 300): string {
  return message.length > max ? `${message.slice(0, max - 1)}…` : message;
}

/** TikTok sometimes echoes parameters in its messages: never let a credential through. */
function scrub(message: string, secrets: readonly string[]): string {
  let scrubbed = message;
  for (const secret of secrets) scrubbed = scrubbed.split(secret).join('[redacted]');
  return scrubbed;
}

function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
