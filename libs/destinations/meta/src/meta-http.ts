import { createHmac } from 'node:crypto';
import {
  isDestinationError,
  notifyObserver,
  ProviderApiError,
  RateLimitedError,
  RetryableError,
  type DestinationError,
  type ProviderObserver,
  type RequestRateLimiter,
} from '@conduit/destinations-core';
import {
  compileWire,
  GraphCode,
  USAGE_HEADERS,
  WIRE_AD_ACCOUNT_USAGE_SCHEMA,
  WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA,
  WIRE_GRAPH_ERROR_SCHEMA,
  type WireCheck,
} from '@conduit/destinations-meta-wire';
import { isGraphError, mapGraphError, META_THROTTLE_RETRY_MS, META_TRANSIENT_RETRY_MS } from './meta.errors';

const GRAPH_ERROR = compileWire(WIRE_GRAPH_ERROR_SCHEMA);
const BUSINESS_USE_CASE_USAGE = compileWire(WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA);
const AD_ACCOUNT_USAGE = compileWire(WIRE_AD_ACCOUNT_USAGE_SCHEMA);

/**
 * The most of an answer the client reads: Meta's largest answers here (a page of 500 audiences) are
 * tens of KB. Beyond this it is not Graph (a gateway, a wrong base URL), and reading it whole would
 * let one answer take a worker's memory.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The longest a throttle pauses the shared budget unless told otherwise: the default retry policy's longest wait. */
const DEFAULT_MAX_PAUSE_MS = 60_000;

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the version, without a leading slash: `act_123/customaudiences`. */
  path: string;
  /** The path as a template, for messages and metrics: `POST act_{id}/customaudiences`. */
  endpoint: string;
  /** A user token: sent as a Bearer header, with its `appsecret_proof`. */
  accessToken?: string;
  query?: Readonly<Record<string, string | number | undefined>>;
  /** A JSON body (POST). */
  json?: Readonly<Record<string, unknown>>;
  /** A JSON body already written (a batch of rows: written from the digests, never as objects). */
  jsonBytes?: Buffer;
  /** A form body (POST): the OAuth exchanges, whose secrets never go in a URL. */
  form?: Readonly<Record<string, string>>;
  /** The ad account the call concerns: named in a terms refusal. */
  adAccountId?: string;
  /** Values never to repeat in an error (tokens, the app secret, codes). */
  secrets: readonly string[];
}

export interface MetaHttpOptions {
  /** `https://graph.facebook.com`, or the emulator's. */
  baseUrl: string;
  graphVersion: string;
  /** Signs every user-token call (`appsecret_proof`). */
  appSecret: string;
  rateLimiter?: RequestRateLimiter;
  rateLimitKey: string;
  /**
   * The longest a throttle pauses the shared budget (default 1 min): Meta may say to stay away for an
   * hour, but an export retries sooner than that (its retry policy), and so may every other worker.
   */
  maxPauseMs?: number;
  observer?: ProviderObserver;
  timeoutMs: number;
}

/**
 * One Graph call over HTTP: the rate limiter, the request (token in a Bearer header, never in the
 * URL; `appsecret_proof` on every user-token call), the bounded answer, Graph's error envelope and
 * codes (with the usage headers' wait on a throttle), and the answer's schema. Throws the destination
 * error taxonomy (never a bare Error) and quotes no URL, token or answer body.
 */
export class MetaHttp {
  private readonly versionUrl: string;

  constructor(private readonly options: MetaHttpOptions) {
    this.versionUrl = `${options.baseUrl.replace(/\/+$/, '')}/${options.graphVersion}`;
  }

  /**
   * One call; resolves with the answer once it matches its schema (`check`). When Meta throttles, the
   * shared budget is paused for as long as Meta says, for every worker: an ad account's
   * custom-audience budget (80003) pauses that ad account's calls only, the app's (4) every call of
   * the app; a person's (17, 613) is only retried, as pausing it would hold other tenants back.
   */
  async send<T>(check: WireCheck<T>, request: GraphRequest): Promise<T> {
    try {
      return await this.exchange(check, request);
    } catch (error) {
      if (error instanceof RateLimitedError) await this.holdOff(request, error);
      throw error;
    }
  }

  private async exchange<T>(check: WireCheck<T>, request: GraphRequest): Promise<T> {
    const { endpoint } = request;
    const secrets = request.secrets.filter((secret) => secret.length > 0);
    await this.acquireSlot(request);

    const url = new URL(`${this.versionUrl}/${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (request.accessToken !== undefined) {
      headers['Authorization'] = `Bearer ${request.accessToken}`;
      const proof = appSecretProof(this.options.appSecret, request.accessToken);
      url.searchParams.set('appsecret_proof', proof);
      secrets.push(proof);
    }
    let body: string | Buffer | undefined;
    if (request.jsonBytes !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = request.jsonBytes;
    } else if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form as Record<string, string>).toString();
    }

    const startedAt = performance.now();
    const observe = (code: string) =>
      notifyObserver(this.options.observer, (observer) =>
        observer.requestFinished({
          provider: 'meta',
          endpoint,
          code,
          durationSeconds: (performance.now() - startedAt) / 1000,
        }),
      );
    let status: number;
    let text: string;
    let responseHeaders: Headers;
    try {
      const response = await fetch(url, {
        method: request.method,
        headers,
        body,
        // Never follow: a redirect would carry the Bearer token's call somewhere else.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      responseHeaders = response.headers;
      text = await readBounded(response);
    } catch (error) {
      const failure = transportError(error, endpoint, this.options.timeoutMs);
      const name = (error as { name?: unknown } | null)?.name;
      observe(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network');
      throw failure;
    }

    const value = parseJson(text);
    if (GRAPH_ERROR(value)) {
      const { error } = value;
      observe(String(error.code));
      throw mapGraphError({
        code: error.code,
        subcode: error.error_subcode,
        message: capped(scrub(error.message, secrets)),
        userMessage: error.error_user_msg === undefined ? undefined : scrub(error.error_user_msg, secrets),
        isTransient: error.is_transient,
        traceId: error.fbtrace_id,
        endpoint,
        adAccountId: request.adAccountId,
        regainAccessMs: regainAccessMs(responseHeaders),
      });
    }
    observe(String(status));
    const traceId = responseHeaders.get('x-fb-trace-id') ?? undefined;
    const options = { requestId: traceId };
    if (status >= 500 || (value === undefined && /Service Unavailable/i.test(text)))
      // Meta's SDK counts "Service Unavailable" in a 200 body as a failure too (reference §0).
      throw new RetryableError(
        `Meta failed on ${endpoint} (HTTP ${status}, no Graph answer); retrying with backoff.`,
        META_TRANSIENT_RETRY_MS,
        options,
      );
    if (status === 429)
      throw new RetryableError(
        `Meta throttled ${endpoint} (HTTP 429); backing off.`,
        Math.max(regainAccessMs(responseHeaders) ?? 0, META_THROTTLE_RETRY_MS),
        options,
      );
    if (status >= 300 && status < 400)
      throw new ProviderApiError(
        `Meta answered ${endpoint} with a redirect (HTTP ${status}); check the Graph base URL.`,
        false,
        options,
      );
    if (status < 200 || status >= 300)
      throw new ProviderApiError(`Meta answered ${endpoint} with HTTP ${status}.`, false, options);
    if (value === undefined)
      // A gateway's page or a truncated answer: usually transient. Described, never quoted.
      throw new ProviderApiError(
        `Meta's answer to ${endpoint} is not JSON (HTTP ${status}, ${Buffer.byteLength(text)} bytes).`,
        true,
        options,
      );
    if (isRecord(value) && value['success'] === false)
      throw new ProviderApiError(`Meta answered ${endpoint} with {"success": false}.`, false, options);
    if (check(value)) {
      // Meta said, in a successful answer, that the ad account's budget is spent: hold its next calls.
      const regainMs = request.adAccountId === undefined ? undefined : regainAccessMs(responseHeaders);
      if (regainMs !== undefined)
        await this.pause(this.adAccountKey(request.adAccountId as string), regainMs);
      return value;
    }
    // Not retried: an answer of the wrong shape is a contract change, not a blip. The field is named
    // by its path, never quoted: it may be personal data or echo a credential.
    throw new ProviderApiError(
      `Meta's answer to ${endpoint} is not as expected (${check.lastErrors.slice(0, 3).join('; ') || 'invalid'}).`,
      false,
      options,
    );
  }

  /** The budget an ad account's custom-audience calls share (Meta counts them per ad account). */
  private adAccountKey(adAccountId: string): string {
    return `${this.options.rateLimitKey}:${adAccountId}`;
  }

  private async holdOff(request: GraphRequest, throttled: RateLimitedError): Promise<void> {
    if (isGraphError(throttled, GraphCode.CUSTOM_AUDIENCE_THROTTLED) && request.adAccountId !== undefined)
      await this.pause(this.adAccountKey(request.adAccountId), throttled.retryAfterMs);
    else if (isGraphError(throttled, GraphCode.APP_THROTTLED))
      await this.pause(this.options.rateLimitKey, throttled.retryAfterMs);
  }

  /** Best effort: a limiter that cannot be paused leaves the retry's own backoff. */
  private async pause(key: string, ms: number): Promise<void> {
    const pauseMs = Math.min(ms, this.options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS);
    await this.options.rateLimiter?.pause(key, pauseMs).catch(() => undefined);
  }

  /** A slot of the app's budget, and first of the ad account's when the call is about one. */
  private async acquireSlot(request: GraphRequest): Promise<void> {
    const { endpoint } = request;
    if (!this.options.rateLimiter) return;
    try {
      if (request.adAccountId !== undefined)
        await this.options.rateLimiter.acquire(this.adAccountKey(request.adAccountId));
      await this.options.rateLimiter.acquire(this.options.rateLimitKey);
    } catch (error) {
      if (isDestinationError(error)) throw error;
      // A shared (e.g. Redis) limiter that cannot answer: nothing was sent, so trying later is safe.
      throw new RetryableError(`The Meta rate limiter failed before ${endpoint}.`, META_TRANSIENT_RETRY_MS, {
        cause: error,
      });
    }
  }
}

/** `hex(HMAC-SHA256(app secret, token))` (reference §0): proves the call comes from the app's server. */
export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/**
 * How long Meta's usage headers say to stay away (reference §7): the largest
 * `estimated_time_to_regain_access` (minutes) of `X-Business-Use-Case-Usage`, or the
 * `reset_time_duration` (seconds) of a full `X-Ad-Account-Usage`. Undefined when they say nothing.
 */
export function regainAccessMs(headers: Pick<Headers, 'get'>): number | undefined {
  let waitMs: number | undefined;
  const business = parseJson(headers.get(USAGE_HEADERS.businessUseCase) ?? '');
  if (BUSINESS_USE_CASE_USAGE(business))
    for (const entries of Object.values(business))
      for (const entry of entries)
        if (entry.estimated_time_to_regain_access > 0)
          waitMs = Math.max(waitMs ?? 0, entry.estimated_time_to_regain_access * 60_000);
  const account = parseJson(headers.get(USAGE_HEADERS.adAccount) ?? '');
  if (AD_ACCOUNT_USAGE(account) && account.acc_id_util_pct >= 100 && account.reset_time_duration > 0)
    waitMs = Math.max(waitMs ?? 0, account.reset_time_duration * 1000);
  return waitMs;
}

/** Reads a body up to MAX_ANSWER_BYTES (a larger declared or actual body is refused there). */
async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new AnswerTooLargeError();
  }
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > MAX_ANSWER_BYTES) throw new AnswerTooLargeError();
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (error instanceof AnswerTooLargeError || name === 'TimeoutError' || name === 'AbortError') throw error;
    throw new AnswerCutError(error);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class AnswerTooLargeError extends Error {}
class AnswerCutError extends Error {
  constructor(cause: unknown) {
    super('The answer was cut off mid-body.', { cause });
  }
}

/** Network failures and timeouts: nothing to quote but the system code (never the URL). */
function transportError(error: unknown, endpoint: string, timeoutMs: number): DestinationError {
  if (error instanceof AnswerTooLargeError)
    return new ProviderApiError(
      `Meta's answer to ${endpoint} is larger than ${MAX_ANSWER_BYTES / (1024 * 1024)} MB, far beyond any Graph answer; ` +
        'check the Graph base URL and any proxy in between.',
      false,
    );
  // A cut answer or a dropped connection: the call may have been carried out. Every caller is
  // idempotent or looks before it repeats (a create looks its audience up by name first).
  if (error instanceof AnswerCutError)
    return new RetryableError(
      `Meta's answer to ${endpoint} was cut off mid-body (${systemCode(error.cause) ?? 'connection closed'}).`,
      META_TRANSIENT_RETRY_MS,
    );
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new RetryableError(
      `Meta did not answer ${endpoint} within ${timeoutMs} ms.`,
      META_TRANSIENT_RETRY_MS,
    );
  return new RetryableError(
    `Meta could not be reached for ${endpoint} (${systemCode(error) ?? 'network error'}).`,
    META_TRANSIENT_RETRY_MS,
  );
}

/** ECONNREFUSED, UND_ERR_SOCKET…: the only part of a low-level error safe to repeat. */
function systemCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Meta's own message, kept readable. */
function capped(message: string, max = 300): string {
  return message.length > max ? `${message.slice(0, max - 1)}…` : message;
}

/** Graph may echo parameters in its messages: never let a credential through. */
export function scrub(message: string, secrets: readonly string[]): string {
  let scrubbed = message;
  for (const secret of secrets) scrubbed = scrubbed.split(secret).join('[redacted]');
  // Whatever the list missed: anything shaped like a Graph token or a proof parameter.
  return scrubbed
    .replace(
      /\b(access_token|appsecret_proof|client_secret|fb_exchange_token|code)=[^&\s"]+/gi,
      '$1=[redacted]',
    )
    .replace(/\bEAA[A-Za-z0-9_-]{20,}/g, '[redacted]');
}
