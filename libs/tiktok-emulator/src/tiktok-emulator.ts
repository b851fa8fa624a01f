import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { Audience, type StoredFile } from './audience-store';
import type { CalculateType } from './calculate-types';
import { parseCustomerFile } from './customer-file';
import {
  withDefaults,
  type EmulatorAdvertiser,
  type EmulatorApp,
  type EmulatorOptions,
  type FaultSettings,
} from './emulator.options';
import { sendCutBody, sendHugeBody, sendNoEnvelope, sendNotJson, withoutUsedFields } from './fault-answers';
import {
  FaultInjector,
  invalidFaultSettings,
  invalidScheduledFault,
  type FaultOutcome,
  type ScheduledFault,
} from './faults';
import { APP_SCOPES, consentPage, errorPage } from './portal-page';
import { RateLimiter } from './rate-limiter';
import { SpecValidator } from './spec-validator';
import { fail, TikTokApiError, TikTokCode } from './tiktok-codes';

const API_PREFIX = '/open_api/v1.3';
const ADMIN_PREFIX = '/_emulator';
const JSON_BODY_LIMIT = 1024 * 1024;

interface AuthCode {
  appId: string;
  advertiserIds: string[];
  expiresAt: number;
  used: boolean;
}

interface AccessToken {
  appId: string;
  advertiserIds: string[];
  revoked: boolean;
  issuedAt: Date;
}

/** One answered API call, for tests to assert exactly what reached "TikTok". */
export interface RequestLogEntry {
  method: string;
  path: string;
  code: number | null;
  httpStatus: number;
  advertiserId?: string;
  /**
   * A fingerprint of the call's Access-Token (never the token): which connection made the call, even
   * when a fault answered before the advertiser was read.
   */
  tokenId?: string;
  fault?: FaultOutcome;
  /** How long the call was held before it was handled (latency and spikes), when it was. */
  delayedMs?: number;
  requestId: string;
  at: string;
}

interface ApiContext {
  method: string;
  path: string;
  query: Record<string, string>;
  request: IncomingMessage;
  logEntry: RequestLogEntry;
}

type Json = Record<string, unknown>;

/**
 * Reshapes the `data` of a successful answer, by API path (`/user/info/`): how a spec makes "TikTok"
 * answer as it sometimes does instead of as documented (a field left out, a value of another type).
 */
export type AnswerAlteration = (path: string, data: Json) => Json;

/** TikTok changes an audience's members only once it has processed the previous change (up to 48 h). */
const NOT_EDITABLE_WHILE_PROCESSING =
  'The custom audience is not editable while it is processing. Please try again after processing completes.';

/**
 * A faithful local TikTok Marketing API v1.3: OAuth (portal consent page, token exchange, advertiser
 * list, revoke), customer-file audiences (upload, create, update, list, get, delete), the response
 * envelope and codes, per-app rate limits, fault injection and an inspection API for tests.
 */
export class TikTokEmulator {
  readonly options: EmulatorOptions;
  private readonly validator = new SpecValidator();
  private readonly limiter: RateLimiter;
  private readonly faults: FaultInjector;
  private readonly authCodes = new Map<string, AuthCode>();
  private readonly tokens = new Map<string, AccessToken>();
  private readonly files = new Map<string, StoredFile>();
  private readonly audiences = new Map<string, Audience>();
  private readonly requestLog: RequestLogEntry[] = [];
  private readonly uploadDir = mkdtempSync(join(tmpdir(), 'tiktok-emulator-'));
  private audienceSequence = 0n;
  private alteration?: AnswerAlteration;
  private server?: Server;

  constructor(options: Partial<EmulatorOptions> = {}) {
    this.options = withDefaults(options);
    this.limiter = new RateLimiter(this.options.rateLimit);
    this.faults = new FaultInjector(this.options.faults, this.options.seed);
  }

  /** Starts listening (port 0 = a free port) and resolves with the base URL. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(this.uploadDir, { recursive: true, force: true });
  }

  /** The node:http request listener, for embedding in another server. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const method = (request.method ?? 'GET').toUpperCase();
    try {
      if (url.pathname.startsWith(`${API_PREFIX}/`)) {
        await this.handleApi(method, url, request, response);
      } else if (url.pathname === '/portal/auth' || url.pathname === '/portal/auth/confirm') {
        await this.handlePortal(method, url, request, response);
      } else if (url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
        await this.handleAdmin(method, url, request, response);
      } else {
        sendText(response, 404, 'Not Found');
      }
    } catch (error) {
      if (!response.headersSent)
        sendText(response, 500, error instanceof Error ? error.message : 'Internal error');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The API: envelope, routing, rate limits, faults, request log
  // ---------------------------------------------------------------------------------------------

  private async handleApi(
    method: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const path = url.pathname.slice(API_PREFIX.length);
    const route = this.routes[`${method} ${path}`];
    const receivedAt = this.now();
    const requestId = newRequestId(receivedAt);
    const logEntry: RequestLogEntry = {
      method,
      path,
      code: null,
      httpStatus: 200,
      requestId,
      at: receivedAt.toISOString(),
    };
    const token = request.headers['access-token'];
    const tokenValue = Array.isArray(token) ? token[0] : token;
    if (tokenValue) logEntry.tokenId = createHash('sha256').update(tokenValue).digest('hex').slice(0, 12);
    this.requestLog.push(logEntry);
    if (!route) {
      // TikTok answers an unknown path (including one without its trailing slash) with a bare 404.
      logEntry.httpStatus = 404;
      request.resume();
      sendText(response, 404, 'Not Found');
      return;
    }
    const delayMs = this.faults.delayMs();
    if (delayMs > 0) {
      logEntry.delayedMs = delayMs;
      await sleep(delayMs);
    }
    const injected = this.faults.next(path);
    const fault = injected?.outcome;
    if (fault) logEntry.fault = fault;
    if (fault === 'drop') {
      request.socket.destroy();
      logEntry.httpStatus = 0;
      return;
    }
    if (fault === 'http5xx') {
      logEntry.httpStatus = 503;
      request.resume();
      sendText(response, 503, 'Service Unavailable');
      return;
    }
    if (fault === 'notJson' || fault === 'noEnvelope' || fault === 'hugeBody') {
      // A gateway answering in TikTok's place: the call never reached TikTok.
      request.resume();
      if (fault === 'notJson') sendNotJson(response, requestId);
      else if (fault === 'noEnvelope') sendNoEnvelope(response, requestId);
      else await sendHugeBody(response, requestId);
      return;
    }
    const context: ApiContext = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      request,
      logEntry,
    };
    let envelope: Json;
    try {
      if (fault === 'systemError') fail(TikTokCode.SYSTEM_ERROR, 'System error, please try again later.');
      if (fault === 'rateLimited')
        fail(TikTokCode.TOO_MANY_REQUESTS, 'Too many requests. Please retry in some time.');
      if (injected?.outcome === 'code') fail(injected.code as number, injected.message as string);
      const data = await route(context);
      const altered = this.alteration ? this.alteration(path, data) : data;
      envelope = {
        code: TikTokCode.OK,
        message: 'OK',
        request_id: requestId,
        data: fault === 'missingFields' ? withoutUsedFields(path, altered) : altered,
      };
    } catch (error) {
      if (!(error instanceof TikTokApiError)) throw error;
      request.resume();
      envelope = { code: error.code, message: error.message, request_id: requestId, data: {} };
    }
    logEntry.code = envelope['code'] as number;
    if (fault === 'lostAnswer') {
      // Done on TikTok's side (the log keeps its code), never told to the caller.
      logEntry.httpStatus = 0;
      request.socket.destroy();
      return;
    }
    if (fault === 'cutBody') {
      // Done on TikTok's side too; the caller gets half an answer.
      sendCutBody(response, envelope);
      return;
    }
    sendJson(response, 200, envelope);
  }

  private readonly routes: Record<string, (context: ApiContext) => Promise<Json>> = {
    'POST /oauth2/access_token/': (context) => this.exchangeAuthCode(context),
    'GET /oauth2/advertiser/get/': (context) => this.listAuthorizedAdvertisers(context),
    'POST /oauth2/revoke_token/': (context) => this.revokeToken(context),
    'GET /user/info/': (context) => this.userInfo(context),
    'GET /advertiser/info/': (context) => this.advertiserInfo(context),
    'POST /dmp/custom_audience/file/upload/': (context) => this.uploadFile(context),
    'POST /dmp/custom_audience/create/': (context) => this.createAudience(context),
    'POST /dmp/custom_audience/update/': (context) => this.updateAudience(context),
    'GET /dmp/custom_audience/list/': (context) => this.listAudiences(context),
    'GET /dmp/custom_audience/get/': (context) => this.getAudiences(context),
    'POST /dmp/custom_audience/delete/': (context) => this.deleteAudiences(context),
  };

  /** Rate limiting is per developer app, counted once the calling app is known. */
  private throttle(appId: string): void {
    if (!this.limiter.tryAcquire(appId, this.now().getTime()))
      fail(TikTokCode.TOO_MANY_REQUESTS, 'Too many requests. Please retry in some time.');
  }

  private async jsonBody(context: ApiContext): Promise<Json> {
    const text = await readBody(context.request, JSON_BODY_LIMIT);
    let body: unknown;
    try {
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      fail(TikTokCode.PARAM_INVALID, 'The request body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      fail(TikTokCode.PARAM_INVALID, 'The request body must be a JSON object.');
    this.validator.validateBody(context.method, context.path, body);
    return body as Json;
  }

  /** Resolves `Access-Token`, throttles its app, and checks it covers the advertiser when one is named. */
  private authenticate(context: ApiContext, advertiserId?: string): AccessToken {
    const header = context.request.headers['access-token'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value)
      fail(TikTokCode.ACCESS_TOKEN_EMPTY, 'Access token is null. Please provide the Access-Token header.');
    const token = this.tokens.get(value as string);
    if (!token || token.revoked)
      fail(TikTokCode.ACCESS_TOKEN_INVALID, 'Access token is incorrect or has been revoked.');
    const valid = token as AccessToken;
    this.throttle(valid.appId);
    if (advertiserId !== undefined) {
      context.logEntry.advertiserId = advertiserId;
      if (!valid.advertiserIds.includes(advertiserId))
        fail(TikTokCode.NO_PERMISSION, `No permission to operate advertiser ${advertiserId}.`);
    }
    return valid;
  }

  private app(appId: unknown, secret: unknown): EmulatorApp {
    const app = this.options.apps.find((candidate) => candidate.appId === appId);
    if (!app || app.secret !== secret)
      fail(TikTokCode.APP_CREDENTIALS_INVALID, 'The app_id or secret is incorrect.');
    return app as EmulatorApp;
  }

  // ---------------------------------------------------------------------------------------------
  // OAuth
  // ---------------------------------------------------------------------------------------------

  private async handlePortal(
    method: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const params =
      method === 'POST' ? new URLSearchParams(await readBody(request, JSON_BODY_LIMIT)) : url.searchParams;
    const app = this.options.apps.find((candidate) => candidate.appId === params.get('app_id'));
    const redirectUri = params.get('redirect_uri') ?? '';
    const state = params.get('state') ?? '';
    if (!app) return sendHtml(response, 400, errorPage(`Unknown app_id "${params.get('app_id') ?? ''}".`));
    if (!app.redirectUris.includes(redirectUri)) {
      return sendHtml(
        response,
        400,
        errorPage(`The redirect_uri "${redirectUri}" is not registered for app ${app.appId}.`),
      );
    }
    if (method === 'GET' && url.pathname === '/portal/auth') {
      return sendHtml(response, 200, consentPage(app, this.options.advertisers, state, redirectUri));
    }
    if (method === 'POST' && url.pathname === '/portal/auth/confirm') {
      const code = randomBytes(20).toString('hex');
      this.authCodes.set(code, {
        appId: app.appId,
        advertiserIds: this.options.advertisers.map((advertiser) => advertiser.advertiserId),
        expiresAt: this.now().getTime() + this.options.authCodeTtlMs,
        used: false,
      });
      const target = new URL(redirectUri);
      target.searchParams.set('auth_code', code);
      target.searchParams.set('code', code);
      target.searchParams.set('state', state);
      response.writeHead(302, { Location: target.toString() }).end();
      return;
    }
    sendText(response, 405, 'Method Not Allowed');
  }

  private async exchangeAuthCode(context: ApiContext): Promise<Json> {
    const body = await this.jsonBody(context);
    for (const field of ['app_id', 'secret', 'auth_code']) {
      if (typeof body[field] !== 'string' || body[field] === '')
        fail(TikTokCode.PARAM_INVALID, `${field}: is required`);
    }
    this.throttle(body['app_id'] as string);
    const app = this.app(body['app_id'], body['secret']);
    const code = this.authCodes.get(body['auth_code'] as string);
    if (!code || code.appId !== app.appId) fail(TikTokCode.AUTH_CODE_INVALID, 'auth_code is invalid.');
    const authCode = code as AuthCode;
    if (authCode.used) fail(TikTokCode.AUTH_CODE_INVALID, 'auth_code has already been used.');
    if (this.now().getTime() > authCode.expiresAt)
      fail(TikTokCode.AUTH_CODE_INVALID, 'auth_code has expired.');
    authCode.used = true;
    const accessToken = randomBytes(20).toString('hex');
    this.tokens.set(accessToken, {
      appId: app.appId,
      advertiserIds: [...authCode.advertiserIds],
      revoked: false,
      issuedAt: this.now(),
    });
    return { access_token: accessToken, advertiser_ids: authCode.advertiserIds, scope: APP_SCOPES };
  }

  private async listAuthorizedAdvertisers(context: ApiContext): Promise<Json> {
    const token = this.authenticate(context);
    const app = this.app(context.query['app_id'], context.query['secret']);
    if (token.appId !== app.appId)
      fail(TikTokCode.ACCESS_TOKEN_INVALID, 'Access token does not belong to this app.');
    return {
      list: token.advertiserIds.map((id) => ({
        advertiser_id: id,
        advertiser_name: this.advertiser(id).name,
      })),
    };
  }

  private async revokeToken(context: ApiContext): Promise<Json> {
    const body = await this.jsonBody(context);
    this.throttle(String(body['app_id'] ?? 'anonymous'));
    const app = this.app(body['app_id'], body['secret']);
    const token = this.tokens.get(String(body['access_token'] ?? ''));
    if (!token || token.appId !== app.appId || token.revoked)
      fail(TikTokCode.ACCESS_TOKEN_INVALID, 'Access token is incorrect or has been revoked.');
    (token as AccessToken).revoked = true;
    return {};
  }

  private async userInfo(context: ApiContext): Promise<Json> {
    const token = this.authenticate(context);
    return {
      core_user_id: '7400000000000000001',
      display_name: 'Emulated TikTok user',
      email: 'ads-operator@example.com',
      create_time: Math.floor(token.issuedAt.getTime() / 1000),
    };
  }

  private async advertiserInfo(context: ApiContext): Promise<Json> {
    const query = this.validator.validateQuery(context.method, context.path, context.query);
    const ids = query['advertiser_ids'] as string[];
    const token = this.authenticate(context);
    for (const id of ids)
      if (!token.advertiserIds.includes(id))
        fail(TikTokCode.NO_PERMISSION, `No permission to operate advertiser ${id}.`);
    return {
      list: ids.map((id) => ({
        advertiser_id: id,
        name: this.advertiser(id).name,
        status: 'STATUS_ENABLE',
        currency: 'USD',
        timezone: 'Etc/GMT',
        role: 'ROLE_ADVERTISER',
      })),
    };
  }

  private advertiser(id: string): EmulatorAdvertiser {
    return (
      this.options.advertisers.find((advertiser) => advertiser.advertiserId === id) ?? {
        advertiserId: id,
        name: `Advertiser ${id}`,
      }
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Customer-file audiences
  // ---------------------------------------------------------------------------------------------

  private async uploadFile(context: ApiContext): Promise<Json> {
    const { fields, file } = await this.receiveMultipart(context);
    try {
      this.validator.validateBody(context.method, context.path, {
        ...fields,
        ...(file ? { file: file.name } : {}),
      });
      const advertiserId = fields['advertiser_id'] as string;
      this.authenticate(context, advertiserId);
      const upload = file as NonNullable<typeof file>;
      if (!/\.(csv|txt)$/i.test(upload.name))
        fail(
          TikTokCode.FILE_TYPE_INVALID,
          `file: only .csv and .txt files are supported (got "${upload.name}").`,
        );
      if (upload.truncated)
        fail(TikTokCode.FILE_TOO_LARGE, `file: larger than the ${this.options.maxFileBytes} bytes allowed.`);
      if (upload.bytes === 0) fail(TikTokCode.FILE_EMPTY, 'file: the file is empty.');
      const corrupted = context.logEntry.fault === 'corruptFile';
      if (corrupted || upload.md5 !== String(fields['file_signature']).toLowerCase()) {
        fail(
          TikTokCode.FILE_SIGNATURE_MISMATCH,
          'file_signature does not match the MD5 of the uploaded file.',
        );
      }
      const calculateType = fields['calculate_type'] as CalculateType;
      const parsed = await parseCustomerFile(upload.path, calculateType);
      const filePath = randomBytes(8).toString('hex');
      this.files.set(filePath, {
        filePath,
        advertiserId,
        calculateType,
        parsed,
        bytes: upload.bytes,
        md5: upload.md5,
        uploadedAt: this.now(),
      });
      return { file_path: filePath };
    } finally {
      if (file) rmSync(file.path, { force: true });
    }
  }

  /** Streams a multipart upload to a temporary file, hashing it on the way (memory stays flat). */
  private receiveMultipart(context: ApiContext): Promise<{
    fields: Record<string, string>;
    file?: { name: string; path: string; bytes: number; md5: string; truncated: boolean };
  }> {
    const type = context.request.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) {
      context.request.resume();
      return Promise.reject(
        new TikTokApiError(
          TikTokCode.PARAM_INVALID,
          'The request must be multipart/form-data with a file part.',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const fields: Record<string, string> = {};
      let file: { name: string; path: string; bytes: number; md5: string; truncated: boolean } | undefined;
      const writes: Promise<void>[] = [];
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: context.request.headers,
          limits: { fileSize: this.options.maxFileBytes, files: 1, fields: 20 },
        });
      } catch {
        reject(new TikTokApiError(TikTokCode.PARAM_INVALID, 'Malformed multipart body.'));
        return;
      }
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (name, stream, info) => {
        if (name !== 'file') {
          stream.resume();
          return;
        }
        const path = join(this.uploadDir, randomBytes(8).toString('hex'));
        const md5 = createHash('md5');
        const entry = { name: info.filename ?? '', path, bytes: 0, md5: '', truncated: false };
        file = entry;
        stream.on('data', (chunk: Buffer) => {
          md5.update(chunk);
          entry.bytes += chunk.length;
        });
        stream.on('limit', () => (entry.truncated = true));
        writes.push(
          pipeline(stream, createWriteStream(path)).then(() => {
            entry.md5 = md5.digest('hex');
          }),
        );
      });
      parser.on('error', () =>
        reject(new TikTokApiError(TikTokCode.PARAM_INVALID, 'Malformed multipart body.')),
      );
      parser.on('close', () => {
        Promise.all(writes).then(
          () => resolve({ fields, file }),
          (error: unknown) => reject(error),
        );
      });
      context.request.pipe(parser);
    });
  }

  private filesFor(advertiserId: string, filePaths: string[], calculateType: CalculateType): StoredFile[] {
    return filePaths.map((filePath) => {
      const file = this.files.get(filePath);
      // Another advertiser's file does not exist for this one.
      if (!file || file.advertiserId !== advertiserId)
        return fail(
          TikTokCode.FILE_MISSING,
          `file_path ${filePath} does not exist for advertiser ${advertiserId}.`,
        );
      if (file.calculateType !== calculateType) {
        fail(
          TikTokCode.PARAM_INVALID,
          `calculate_type mismatch: file ${filePath} is ${file.calculateType}, the audience is ${calculateType}.`,
        );
      }
      return file;
    });
  }

  private audienceFor(advertiserId: string, audienceId: string): Audience {
    const audience = this.audiences.get(audienceId);
    if (!audience || audience.advertiserId !== advertiserId)
      return fail(TikTokCode.NOT_FOUND, `Custom audience ${audienceId} does not exist.`);
    return audience;
  }

  private async createAudience(context: ApiContext): Promise<Json> {
    const body = await this.jsonBody(context);
    const advertiserId = body['advertiser_id'] as string;
    this.authenticate(context, advertiserId);
    const owned = [...this.audiences.values()].filter(
      (audience) => audience.advertiserId === advertiserId,
    ).length;
    if (owned >= this.options.maxAudiencesPerAdvertiser) {
      fail(
        TikTokCode.PARAM_INVALID,
        `The advertiser already has ${owned} custom audiences, the maximum is ${this.options.maxAudiencesPerAdvertiser}. Delete unused audiences first.`,
      );
    }
    const calculateType = body['calculate_type'] as CalculateType;
    const files = this.filesFor(advertiserId, body['file_paths'] as string[], calculateType);
    const now = this.now();
    const audience = new Audience(
      this.nextAudienceId(),
      advertiserId,
      body['custom_audience_name'] as string,
      calculateType,
      body['retention_in_days'] as number | undefined,
      now,
      Math.round(this.options.matchRate * 256),
    );
    audience.apply('CREATE', files, now, this.options.processingDelayMs);
    this.audiences.set(audience.id, audience);
    return { custom_audience_id: audience.id };
  }

  private async updateAudience(context: ApiContext): Promise<Json> {
    const body = await this.jsonBody(context);
    const advertiserId = body['advertiser_id'] as string;
    this.authenticate(context, advertiserId);
    const audience = this.audienceFor(advertiserId, body['custom_audience_id'] as string);
    const name = body['custom_audience_name'];
    if (name !== undefined && (typeof name !== 'string' || name.length < 1 || name.length > 128)) {
      fail(TikTokCode.PARAM_INVALID, 'custom_audience_name: length must be between 1 and 128.');
    }
    const filePaths = (body['file_paths'] as string[] | undefined) ?? [];
    const action = (body['action'] as 'APPEND' | 'REMOVE' | 'REPLACE' | undefined) ?? 'REPLACE';
    const now = this.now();
    if (filePaths.length > 0) {
      if (this.isProcessing(audience)) fail(TikTokCode.PARAM_INVALID, NOT_EDITABLE_WHILE_PROCESSING);
      if (filePaths.length > 500)
        fail(TikTokCode.PARAM_INVALID, 'file_paths: at most 500 files per request.');
      const files = this.filesFor(advertiserId, filePaths, audience.calculateType);
      const sizeAfter = audience.sizeAfter(action, files);
      if (sizeAfter < this.options.minAudienceSizeAfterUpdate) {
        fail(
          TikTokCode.PARAM_INVALID,
          `After ${action} the audience would hold ${sizeAfter} users, below the minimum of ${this.options.minAudienceSizeAfterUpdate}. The audience was not changed.`,
        );
      }
      audience.apply(action, files, now, this.options.processingDelayMs);
    } else if (name === undefined) {
      fail(TikTokCode.PARAM_INVALID, 'file_paths: give the files to apply, or a new custom_audience_name.');
    }
    if (typeof name === 'string' && name !== audience.name) {
      audience.name = name;
      audience.record('RENAME', [], now);
    }
    return { custom_audience_id: audience.id };
  }

  private async listAudiences(context: ApiContext): Promise<Json> {
    const query = this.validator.validateQuery(context.method, context.path, context.query);
    const advertiserId = query['advertiser_id'] as string;
    this.authenticate(context, advertiserId);
    const page = (query['page'] as number | undefined) ?? 1;
    const pageSize = (query['page_size'] as number | undefined) ?? 10;
    const only = query['custom_audience_ids'] as string[] | undefined;
    const all = [...this.audiences.values()]
      .filter((audience) => audience.advertiserId === advertiserId && (!only || only.includes(audience.id)))
      .sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (BigInt(b.id) > BigInt(a.id) ? 1 : -1),
      );
    return {
      list: all.slice((page - 1) * pageSize, page * pageSize).map((audience) => this.summary(audience)),
      page_info: {
        page,
        page_size: pageSize,
        total_number: all.length,
        total_page: Math.ceil(all.length / pageSize),
      },
    };
  }

  private async getAudiences(context: ApiContext): Promise<Json> {
    const query = this.validator.validateQuery(context.method, context.path, context.query);
    const advertiserId = query['advertiser_id'] as string;
    this.authenticate(context, advertiserId);
    const ids = query['custom_audience_ids'] as string[];
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100)
      fail(TikTokCode.PARAM_INVALID, 'custom_audience_ids: between 1 and 100 ids.');
    const historySize = (query['history_size'] as number | undefined) ?? 100;
    const audiences = ids.map((id) => this.audienceFor(advertiserId, String(id)));
    return {
      list: audiences.map((audience) => ({
        audience_details: {
          ...this.summary(audience),
          msg: this.isProcessing(audience) ? 'Processing' : '',
          error_msg:
            !this.isProcessing(audience) && !this.isValid(audience)
              ? `Only ${audience.matched} users matched; at least ${this.options.minValidAudienceSize} are needed.`
              : '',
          retention_in_days: audience.retentionInDays ?? null,
        },
        audience_history: audience.history
          .slice(-historySize)
          .reverse()
          .map((entry) => ({
            action: entry.action,
            action_detail: entry.filePaths.length ? `files: ${entry.filePaths.join(', ')}` : '',
            opt_time: tiktokTime(entry.at),
            editor: 'Marketing API',
            size_after: entry.sizeAfter,
          })),
      })),
    };
  }

  private async deleteAudiences(context: ApiContext): Promise<Json> {
    const body = await this.jsonBody(context);
    const advertiserId = body['advertiser_id'] as string;
    this.authenticate(context, advertiserId);
    const ids = body['custom_audience_ids'] as string[];
    const audiences = ids.map((id) => this.audienceFor(advertiserId, id));
    for (const audience of audiences) this.audiences.delete(audience.id);
    return {};
  }

  private isProcessing(audience: Audience): boolean {
    return this.now().getTime() < audience.processingUntil.getTime();
  }

  private isValid(audience: Audience): boolean {
    return !this.isProcessing(audience) && audience.matched >= this.options.minValidAudienceSize;
  }

  private summary(audience: Audience): Json {
    const expires = new Date(audience.createdAt.getTime() + (audience.retentionInDays ?? 365) * 86_400_000);
    return {
      audience_id: audience.id,
      name: audience.name,
      cover_num: this.isProcessing(audience) ? 0 : audience.matched,
      is_valid: this.isValid(audience),
      is_expiring: expires.getTime() - this.now().getTime() < 7 * 86_400_000,
      calculate_type: audience.calculateType,
      create_time: tiktokTime(audience.createdAt),
      expired_time: tiktokTime(expires),
      is_creator: true,
      shared: false,
      audience_type: 'Customer File',
    };
  }

  private now(): Date {
    return this.options.clock.now();
  }

  private nextAudienceId(): string {
    this.audienceSequence++;
    return (
      7_300_000_000_000_000_000n +
      BigInt(this.options.seed) * 1_000_000n +
      this.audienceSequence
    ).toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection and control (not TikTok paths)
  // ---------------------------------------------------------------------------------------------

  /** Audiences as stored: identifier counts and digests by type. */
  inspectAudiences(advertiserId?: string): Json[] {
    return [...this.audiences.values()]
      .filter((audience) => !advertiserId || audience.advertiserId === advertiserId)
      .map((audience) => ({
        audience_id: audience.id,
        advertiser_id: audience.advertiserId,
        name: audience.name,
        calculate_type: audience.calculateType,
        size: audience.size,
        matched: audience.matched,
        is_valid: this.isValid(audience),
        processing: this.isProcessing(audience),
        identifiers: audience.contents(),
        history: audience.history.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
      }));
  }

  inspectFile(filePath: string): Json | undefined {
    const file = this.files.get(filePath);
    if (!file) return undefined;
    return {
      file_path: file.filePath,
      advertiser_id: file.advertiserId,
      calculate_type: file.calculateType,
      bytes: file.bytes,
      md5: file.md5,
      lines: file.parsed.lines,
      invalid_values: file.parsed.invalidValues,
      values: Object.fromEntries(
        [...file.parsed.values.entries()].map(([type, list]) => [type, list.length]),
      ),
    };
  }

  get requests(): readonly RequestLogEntry[] {
    return this.requestLog;
  }

  configureFaults(settings: Partial<FaultSettings>, seed?: number): void {
    this.faults.configure(settings, seed);
  }

  scheduleFault(fault: ScheduledFault): void {
    const invalid = invalidScheduledFault(fault);
    if (invalid) throw new Error(invalid);
    this.faults.schedule(fault);
  }

  /** Forgets the one-off faults not yet used up (the rates stay). */
  clearScheduledFaults(): void {
    this.faults.clear();
  }

  /** Revokes tokens as an advertiser would in TikTok's UI: by token, or every token of an advertiser. */
  revokeTokens(by: { accessToken?: string; advertiserId?: string }): number {
    let revoked = 0;
    for (const [value, token] of this.tokens) {
      if (
        (by.accessToken && value === by.accessToken) ||
        (by.advertiserId && token.advertiserIds.includes(by.advertiserId))
      ) {
        if (!token.revoked) revoked++;
        token.revoked = true;
      }
    }
    return revoked;
  }

  /** From now on, successful answers pass through `alter`; without one, TikTok's documented answers again. */
  alterAnswers(alter?: AnswerAlteration): void {
    this.alteration = alter;
  }

  /** Ends processing of every audience now (tests need not wait for the simulated delay). */
  finishProcessing(): void {
    const now = this.now();
    for (const audience of this.audiences.values()) audience.processingUntil = now;
  }

  private async handleAdmin(
    method: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const path = url.pathname.slice(ADMIN_PREFIX.length);
    const body = method === 'POST' ? await readAdminJson(request) : {};
    if (body === undefined) return sendJson(response, 400, { error: 'The body must be a JSON object.' });
    const audienceMatch = /^\/audiences\/(\d+)$/.exec(path);
    const fileMatch = /^\/files\/([0-9a-f]{16})$/.exec(path);
    if (method === 'GET' && path === '/health') return sendJson(response, 200, { status: 'ok' });
    if (method === 'GET' && path === '/audiences')
      return sendJson(response, 200, {
        audiences: this.inspectAudiences(url.searchParams.get('advertiser_id') ?? undefined),
      });
    if (method === 'GET' && audienceMatch) {
      const audience = this.inspectAudiences().find(
        (candidate) => candidate['audience_id'] === audienceMatch[1],
      );
      return audience
        ? sendJson(response, 200, audience)
        : sendJson(response, 404, { error: `No audience ${audienceMatch[1]}` });
    }
    if (method === 'GET' && fileMatch) {
      const file = this.inspectFile(fileMatch[1]);
      return file
        ? sendJson(response, 200, file)
        : sendJson(response, 404, { error: `No file ${fileMatch[1]}` });
    }
    if (method === 'GET' && path === '/requests')
      return sendJson(response, 200, { requests: this.requestLog });
    if (method === 'DELETE' && path === '/requests') {
      this.requestLog.length = 0;
      return sendJson(response, 200, {});
    }
    if (method === 'GET' && path === '/faults') return sendJson(response, 200, this.faults.current);
    if (method === 'POST' && path === '/faults') {
      const { seed, ...settings } = body as Partial<FaultSettings> & { seed?: number };
      const invalid = invalidFaultSettings(settings, this.options.faults);
      if (invalid) return sendJson(response, 400, { error: invalid });
      if (seed !== undefined && !Number.isInteger(seed))
        return sendJson(response, 400, { error: 'seed must be an integer' });
      this.configureFaults(settings, seed);
      return sendJson(response, 200, this.faults.current);
    }
    if (method === 'POST' && path === '/faults/next') {
      const fault = body as Partial<ScheduledFault>;
      const invalid = invalidScheduledFault(fault);
      if (invalid) return sendJson(response, 400, { error: invalid });
      this.scheduleFault({
        path: fault.path,
        outcome: fault.outcome as FaultOutcome,
        times: fault.times ?? 1,
        ...(fault.outcome === 'code' ? { code: fault.code, message: fault.message } : {}),
      });
      return sendJson(response, 200, this.faults.current);
    }
    if (method === 'DELETE' && path === '/faults/next') {
      this.clearScheduledFaults();
      return sendJson(response, 200, this.faults.current);
    }
    if (method === 'POST' && path === '/tokens/revoke') {
      const by = body as { access_token?: string; advertiser_id?: string };
      return sendJson(response, 200, {
        revoked: this.revokeTokens({ accessToken: by.access_token, advertiserId: by.advertiser_id }),
      });
    }
    if (method === 'POST' && path === '/audiences/finish-processing') {
      this.finishProcessing();
      return sendJson(response, 200, {});
    }
    sendJson(response, 404, { error: `No admin route ${method} ${path}` });
  }
}

// -------------------------------------------------------------------------------------------------

/** TikTok request ids: a timestamp and random hex. */
function newRequestId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}${randomBytes(10).toString('hex').toUpperCase()}`;
}

/** TikTok's time format: `YYYY-MM-DD HH:MM:SS` (UTC). */
function tiktokTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) fail(TikTokCode.PARAM_INVALID, `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readAdminJson(request: IncomingMessage): Promise<Json | undefined> {
  try {
    const text = await readBody(request, JSON_BODY_LIMIT);
    const value: unknown = text ? JSON.parse(text) : {};
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
    })
    .end(html);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}
