import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TikTokEnvelope } from '@conduit/destinations-tiktok-wire';
import { EmulatorServer } from '@conduit/emulator-kit';
import { AdvertiserRoutes } from './advertiser.routes';
import type { ApiCall, ApiRoutes, RequestLogEntry } from './api-call';
import { AudienceRoutes } from './audiences.routes';
import { withDefaults, type EmulatorOptions, type FaultSettings } from './emulator.options';
import { TikTokState } from './emulator-state';
import { sendCutBody, sendHugeBody, sendNoEnvelope, sendNotJson, withoutUsedFields } from './fault-answers';
import { FaultInjector, type ScheduledFault } from './faults';
import { FileUploadRoutes } from './file-upload.routes';
import { sendJson, sendText, sleep, type Json } from './http-io';
import { ADMIN_PREFIX, InspectionRoutes } from './inspection.routes';
import { OAuthRoutes, PORTAL_PATHS } from './oauth.routes';
import { fail, TikTokApiError, TikTokCode } from './tiktok-codes';

export type { RequestLogEntry } from './api-call';

const API_PREFIX = '/open_api/v1.3';

/**
 * Reshapes the `data` of a successful answer, by API path (`/user/info/`): how a spec makes "TikTok"
 * answer as it sometimes does instead of as documented (a field left out, a value of another type).
 */
export type AnswerAlteration = (path: string, data: Json) => Json;

/**
 * A faithful local TikTok Marketing API v1.3: OAuth (portal consent page, token exchange, advertiser
 * list, revoke), customer-file audiences (upload, create, update, list, get, delete), the response
 * envelope and codes, per-app rate limits, fault injection and an inspection API for tests.
 * The route families live in their own files; this class receives, dispatches and answers.
 */
export class TikTokEmulator {
  readonly options: EmulatorOptions;
  private readonly state: TikTokState;
  private readonly faults: FaultInjector;
  private readonly requestLog: RequestLogEntry[] = [];
  private readonly oauth: OAuthRoutes;
  private readonly inspection: InspectionRoutes;
  private readonly routes: ApiRoutes;
  private alteration?: AnswerAlteration;
  private readonly server = new EmulatorServer((request, response) => void this.handle(request, response));

  constructor(options: Partial<EmulatorOptions> = {}) {
    this.options = withDefaults(options);
    this.state = new TikTokState(this.options);
    this.faults = new FaultInjector(this.options.faults, this.options.seed);
    this.oauth = new OAuthRoutes(this.state);
    this.inspection = new InspectionRoutes(this.state, this.faults, this.requestLog);
    this.routes = {
      ...this.oauth.routes,
      ...new AdvertiserRoutes(this.state).routes,
      ...new FileUploadRoutes(this.state).routes,
      ...new AudienceRoutes(this.state).routes,
    };
  }

  /** Starts listening (port 0 = a free port) and resolves with the base URL. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.server.listen(port, host);
  }

  async close(): Promise<void> {
    await this.server.close();
    rmSync(this.state.uploadDir, { recursive: true, force: true });
  }

  /** The node:http request listener, for embedding in another server. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const method = (request.method ?? 'GET').toUpperCase();
    try {
      if (url.pathname.startsWith(`${API_PREFIX}/`)) {
        await this.handleApi(method, url, request, response);
      } else if (PORTAL_PATHS.includes(url.pathname)) {
        await this.oauth.handlePortal(method, url, request, response);
      } else if (url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
        await this.inspection.handle(method, url, request, response);
      } else {
        sendText(response, 404, 'Not Found');
      }
    } catch (error) {
      if (!response.headersSent)
        sendText(response, 500, error instanceof Error ? error.message : 'Internal error');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The API: envelope, routing, faults, request log
  // ---------------------------------------------------------------------------------------------

  private async handleApi(
    method: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const path = url.pathname.slice(API_PREFIX.length);
    const route = this.routes[`${method} ${path}`];
    const receivedAt = this.state.now();
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
    const call: ApiCall = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      request,
      logEntry,
    };
    let envelope: TikTokEnvelope<Json>;
    try {
      if (fault === 'systemError') fail(TikTokCode.SYSTEM_ERROR, 'System error, please try again later.');
      if (fault === 'rateLimited')
        fail(TikTokCode.TOO_MANY_REQUESTS, 'Too many requests. Please retry in some time.');
      if (injected?.outcome === 'code') fail(injected.code as number, injected.message as string);
      const data = (await route(call)) as Json;
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
    logEntry.code = envelope.code;
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

  // ---------------------------------------------------------------------------------------------
  // Inspection and control from code (the same as the /_emulator routes)
  // ---------------------------------------------------------------------------------------------

  /** Audiences as stored: identifier counts and digests by type. */
  inspectAudiences(advertiserId?: string): Json[] {
    return this.inspection.inspectAudiences(advertiserId);
  }

  inspectFile(filePath: string): Json | undefined {
    return this.inspection.inspectFile(filePath);
  }

  get requests(): readonly RequestLogEntry[] {
    return this.requestLog;
  }

  configureFaults(settings: Partial<FaultSettings>, seed?: number): void {
    this.inspection.configureFaults(settings, seed);
  }

  scheduleFault(fault: ScheduledFault): void {
    this.inspection.scheduleFault(fault);
  }

  /** Forgets the one-off faults not yet used up (the rates stay). */
  clearScheduledFaults(): void {
    this.inspection.clearScheduledFaults();
  }

  /** Revokes tokens as an advertiser would in TikTok's UI: by token, or every token of an advertiser. */
  revokeTokens(by: { accessToken?: string; advertiserId?: string }): number {
    return this.state.revokeTokens(by);
  }

  /** From now on, successful answers pass through `alter`; without one, TikTok's documented answers again. */
  alterAnswers(alter?: AnswerAlteration): void {
    this.alteration = alter;
  }

  /** Ends processing of every audience now (tests need not wait for the simulated delay). */
  finishProcessing(): void {
    this.state.finishProcessing();
  }
}

/** TikTok request ids: a timestamp and random hex. */
function newRequestId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}${randomBytes(10).toString('hex').toUpperCase()}`;
}
