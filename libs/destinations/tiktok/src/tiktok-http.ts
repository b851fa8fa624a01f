import {
  isDestinationError,
  ProviderApiError,
  RateLimitedError,
  RetryableError,
  notifyObserver,
  type DestinationError,
  type ProviderObserver,
  type RequestRateLimiter,
} from '@conduit/destinations-core';
import type { TikTokEnvelope, WireCheck } from '@conduit/destinations-tiktok-wire';
import { isSafeNumber, parse as parseLosslessJson } from 'lossless-json';
import { AnswerCutError, AnswerTooLargeError, readBoundedAnswer } from './bounded-answer';
import { postMultipart, type MultipartUpload, type RawAnswer } from './multipart-upload';
import { mapTikTokError, TIKTOK_RATE_LIMIT_RETRY_MS, TIKTOK_SYSTEM_ERROR_RETRY_MS } from './tiktok.errors';

type QueryValue = string | number | readonly string[] | undefined;

export interface TikTokRequest {
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

export type Json = Record<string, unknown>;

export interface TikTokHttpOptions {
  baseUrl: string;
  rateLimiter?: RequestRateLimiter;
  rateLimitKey: string;
  observer?: ProviderObserver;
}

/**
 * One TikTok call over HTTP: the rate limiter, the request, the bounded answer, TikTok's envelope and
 * codes, and the answer's schema. Throws the destination error taxonomy (never a bare Error) and
 * quotes no URL, token or answer body.
 */
export class TikTokHttp {
  private readonly baseUrl: string;
  private readonly rateLimiter?: RequestRateLimiter;
  private readonly rateLimitKey: string;
  private readonly observer?: ProviderObserver;

  constructor(options: TikTokHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.rateLimiter = options.rateLimiter;
    this.rateLimitKey = options.rateLimitKey;
    this.observer = options.observer;
  }

  /**
   * One request: rate limit, send, read the envelope; resolves with `data` of a `code: 0` answer once
   * it matches its schema (`check`).
   */
  async send<T>(check: WireCheck<T>, request: TikTokRequest): Promise<T> {
    try {
      return await this.exchange(check, request);
    } catch (error) {
      // TikTok throttled the app: every process sharing its budget holds off, not only this call's retry.
      if (error instanceof RateLimitedError && this.rateLimiter)
        await this.rateLimiter.pause(this.rateLimitKey, error.retryAfterMs).catch(() => undefined);
      throw error;
    }
  }

  private async exchange<T>(check: WireCheck<T>, request: TikTokRequest): Promise<T> {
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
export function systemCode(error: unknown): string | undefined {
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

export function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
