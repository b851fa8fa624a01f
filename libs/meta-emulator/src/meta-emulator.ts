import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphCode } from '@conduit/destinations-meta-wire';
import { EmulatorServer } from '@conduit/emulator-kit';
import { AdAccountRoutes } from './ad-accounts.routes';
import { AudienceRoutes } from './audiences.routes';
import { withDefaults, type MetaEmulatorOptions, type MetaFaultSettings } from './emulator.options';
import { MetaState } from './emulator-state';
import { sendCutBody, sendHugeBody, sendNotJson, withoutUsedFields } from './fault-answers';
import { FaultInjector, type InjectedFault, type ScheduledFault } from './faults';
import type { GraphCall, GraphRoute, RequestLogEntry } from './graph-call';
import { fail, GraphApiError, messageFor } from './graph-errors';
import { matchRoute, versionNumber } from './graph-router';
import { sendJson, sendText, sleep, type Json } from './http-io';
import { ADMIN_PREFIX, InspectionRoutes, MAX_LOGGED_REQUESTS } from './inspection.routes';
import type { InspectedAudience } from './inspection.types';
import { OAuthRoutes } from './oauth.routes';
import { effectiveMethod, readParams } from './request-params';
import { Throttle } from './throttle';
import type { RevokeReason } from './token-store';
import { UsersRoutes } from './users.routes';

const VERSIONED = /^\/(v\d{1,3}\.0)(\/.*)?$/;
const DIALOG = /^\/dialog\/oauth(\/confirm)?$/;

/**
 * Reshapes a successful answer, by route (`GET /{audience_id}`): how a spec makes "Meta" answer as
 * it sometimes does instead of as documented.
 */
export type AnswerAlteration = (route: string, body: Json) => Json;

/**
 * A faithful local Meta Marketing API for customer-list custom audiences: Facebook Login (dialog,
 * code and long-lived exchanges, debug_token), ad accounts with the custom-audience terms flag,
 * audiences, `/users` and `/usersreplace` sessions, Graph's error envelope and codes, the
 * custom_audience throttle and its usage headers, fault injection and an inspection API.
 * The route families live in their own files; this class receives, dispatches and answers.
 */
export class MetaEmulator {
  readonly options: MetaEmulatorOptions;
  private readonly state: MetaState;
  private readonly faults: FaultInjector;
  private readonly requestLog: RequestLogEntry[] = [];
  private readonly oauth: OAuthRoutes;
  private readonly inspection: InspectionRoutes;
  private readonly audienceRoutes: AudienceRoutes;
  private readonly routes: GraphRoute[];
  private alteration?: AnswerAlteration;
  private readonly server = new EmulatorServer((request, response) => void this.handle(request, response));

  constructor(options: Partial<MetaEmulatorOptions> = {}) {
    this.options = withDefaults(options);
    this.state = new MetaState(this.options);
    this.faults = new FaultInjector(this.options.faults, this.options.seed);
    this.oauth = new OAuthRoutes(this.state);
    this.inspection = new InspectionRoutes(this.state, this.faults, this.requestLog);
    this.audienceRoutes = new AudienceRoutes(this.state);
    this.routes = [
      ...this.oauth.routes,
      ...new AdAccountRoutes(this.state).routes,
      ...new UsersRoutes(this.state).routes,
      ...this.audienceRoutes.routes,
    ];
  }

  /** Starts listening (port 0 = a free port) and resolves with the base URL. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.server.listen(port, host);
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  /** The node:http request listener, for embedding in another server. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const method = (request.method ?? 'GET').toUpperCase();
    try {
      if (url.pathname.startsWith(`${ADMIN_PREFIX}/`))
        return await this.inspection.handle(method, url, request, response);
      const versioned = VERSIONED.exec(url.pathname);
      const version = versioned ? versioned[1] : this.options.graphVersion;
      const path = versioned ? (versioned[2] ?? '/') : url.pathname;
      if (DIALOG.test(path)) return await this.oauth.handleDialog(method, url, version, request, response);
      await this.handleGraph(method, url, version, path, request, response);
    } catch (error) {
      // A bug of the emulator's: say so without details (never a token or a body in an answer).
      if (!response.headersSent) sendText(response, 500, 'Emulator error');
      if (!(error instanceof Error)) return;
      console.error(`Meta emulator: ${method} ${url.pathname}: ${error.message}`);
    }
  }

  private async handleGraph(
    requestMethod: string,
    url: URL,
    version: string,
    path: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const receivedAt = this.options.clock.now();
    const fbtraceId = randomBytes(8).toString('base64url');
    const logEntry: RequestLogEntry = {
      method: requestMethod,
      route: null,
      path,
      version,
      code: null,
      httpStatus: 200,
      fbtraceId,
      at: receivedAt.toISOString(),
    };
    if (this.requestLog.length >= MAX_LOGGED_REQUESTS) this.requestLog.splice(0, MAX_LOGGED_REQUESTS / 10);
    this.requestLog.push(logEntry);
    const host = request.headers.host ?? 'emulator';
    const call: GraphCall = {
      method: requestMethod,
      route: '',
      version,
      ids: {},
      params: {},
      request,
      versionUrl: `http://${host}/${version}`,
      logEntry,
      headers: {},
    };
    let injected: InjectedFault | undefined;
    let body: Json;
    try {
      call.params = await readParams(request, url.searchParams, this.options.maxBodyBytes);
      call.method = logEntry.method = effectiveMethod(requestMethod, call.params);
      this.checkVersion(version, path);
      const segments = path.split('/').slice(1);
      const match = matchRoute(this.routes, segments);
      const route = match?.routes.find((candidate) => candidate.method === call.method);
      if (!match) return this.unknownPath(segments, call);
      if (!route)
        return fail(GraphCode.INVALID_PARAMETER, `Unsupported ${call.method.toLowerCase()} request.`, {
          type: 'GraphMethodException',
        });
      call.route = logEntry.route = `${call.method} ${route.template}`;
      call.ids = match.ids;
      if (match.ids.ad_account_id) logEntry.adAccountId = match.ids.ad_account_id;
      if (match.ids.audience_id) logEntry.audienceId = match.ids.audience_id;
      const delayMs = this.faults.delayMs();
      if (delayMs > 0) {
        logEntry.delayedMs = delayMs;
        await sleep(delayMs);
      }
      injected = this.faults.next(call.route);
      if (injected) logEntry.fault = injected.outcome;
      if (await this.answeredByTransportFault(injected, call, response)) return;
      this.failByFault(injected, call);
      const answer = await route.handle(call);
      const altered = this.alteration ? this.alteration(call.route, answer) : answer;
      body = injected?.outcome === 'missingFields' ? withoutUsedFields(call.route, altered) : altered;
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      request.resume();
      logEntry.code = error.code;
      if (error.extra.subcode !== undefined) logEntry.subcode = error.extra.subcode;
      logEntry.httpStatus = error.status;
      const headers = { ...call.headers, ...error.extra.headers };
      return this.send(response, logEntry, error.status, error.envelope(fbtraceId), headers, injected);
    }
    this.send(response, logEntry, 200, body, call.headers, injected);
  }

  /** Sends an answer, or loses or cuts it when the call's fault says so (the work is done either way). */
  private send(
    response: ServerResponse,
    logEntry: RequestLogEntry,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    injected: InjectedFault | undefined,
  ): void {
    if (injected?.outcome === 'lostAnswer') {
      logEntry.httpStatus = 0;
      response.socket?.destroy();
      return;
    }
    if (injected?.outcome === 'cutBody') return sendCutBody(response, status, body);
    sendJson(response, status, body, { ...headers, 'x-fb-trace-id': logEntry.fbtraceId });
  }

  /** Faults answered before Meta does anything: a dropped connection, a gateway's answer. */
  private async answeredByTransportFault(
    injected: InjectedFault | undefined,
    call: GraphCall,
    response: ServerResponse,
  ): Promise<boolean> {
    switch (injected?.outcome) {
      case 'drop':
        call.logEntry.httpStatus = 0;
        call.request.socket.destroy();
        return true;
      case 'http5xx':
        call.logEntry.httpStatus = 503;
        sendText(response, 503, 'Service Unavailable');
        return true;
      case 'serviceUnavailable200':
        sendText(response, 200, 'Service Unavailable');
        return true;
      case 'notJson':
        sendNotJson(response, call.logEntry.fbtraceId);
        return true;
      case 'hugeBody':
        await sendHugeBody(response);
        return true;
      default:
        return false;
    }
  }

  /** Faults answered with a Graph error in Meta's place (the call is not carried out). */
  private failByFault(injected: InjectedFault | undefined, call: GraphCall): void {
    switch (injected?.outcome) {
      case 'transient':
        fail(GraphCode.SERVICE_UNAVAILABLE, messageFor(GraphCode.SERVICE_UNAVAILABLE), { transient: true });
        break;
      case 'unknown':
        fail(GraphCode.UNKNOWN, messageFor(GraphCode.UNKNOWN), { transient: false });
        break;
      case 'throttled': {
        const account =
          call.ids.ad_account_id ?? this.state.audiences.get(call.ids.audience_id ?? '')?.adAccountId;
        fail(GraphCode.CUSTOM_AUDIENCE_THROTTLED, messageFor(GraphCode.CUSTOM_AUDIENCE_THROTTLED), {
          subcode: 2446079,
          transient: true,
          status: this.state.throttle.current.httpStatus,
          headers: Throttle.throttledHeader(account),
        });
        break;
      }
      case 'code': {
        const code = injected.code as number;
        fail(code, injected.message ?? messageFor(code), {
          subcode: injected.subcode,
          status: injected.status,
        });
        break;
      }
      default:
    }
  }

  private checkVersion(version: string, path: string): void {
    const asked = versionNumber(version);
    if (asked < versionNumber(this.options.oldestGraphVersion))
      fail(
        GraphCode.DEPRECATED_VERSION,
        `(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: ${this.options.graphVersion}.`,
      );
    if (asked > versionNumber(this.options.graphVersion))
      fail(GraphCode.UNKNOWN_PATH, `Unknown path components: /${version}${path}`);
  }

  /** One unknown segment is an object that does not exist (100/33); deeper, unknown edges (2500). */
  private unknownPath(segments: string[], call: GraphCall): never {
    if (segments.length === 1 && segments[0] !== '')
      return fail(
        GraphCode.INVALID_PARAMETER,
        `Unsupported ${call.method.toLowerCase()} request. Object with ID '${segments[0].slice(0, 64)}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        { subcode: 33, type: 'GraphMethodException' },
      );
    return fail(
      GraphCode.UNKNOWN_PATH,
      `Unknown path components: /${segments.slice(1).join('/').slice(0, 200)}`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection and control from code (the same as the /_emulator routes)
  // ---------------------------------------------------------------------------------------------

  get requests(): readonly RequestLogEntry[] {
    return this.requestLog;
  }

  /** An audience as stored, with its exact identifiers per key and its sessions. */
  inspectAudience(id: string): InspectedAudience | undefined {
    return this.inspection.inspectAudience(id);
  }

  /** What `GET /{audience_id}?fields=…` would answer now (no call counted). */
  audienceFields(id: string, fields: readonly string[]): Json | undefined {
    const audience = this.state.audiences.get(id);
    return audience ? this.audienceRoutes.render(audience, fields) : undefined;
  }

  configureFaults(settings: Partial<MetaFaultSettings>, seed?: number): void {
    this.faults.configure(settings, seed);
  }

  scheduleFault(fault: ScheduledFault): void {
    this.faults.schedule(fault);
  }

  clearScheduledFaults(): void {
    this.faults.clear();
  }

  setTermsAccepted(adAccountId: string, accepted: boolean): void {
    const account = this.options.adAccounts.find(
      (candidate) => candidate.id === adAccountId.replace(/^act_/, ''),
    );
    if (!account) throw new Error(`No ad account ${adAccountId}`);
    account.termsAccepted = accepted;
  }

  revokeTokens(by: { accessToken?: string; userId?: string }, reason: RevokeReason = 'deauthorized'): number {
    return this.state.tokens.revoke(by, reason);
  }

  /** Ends a token's life now (every token's without one): its next call answers 190/463. */
  expireTokens(accessToken?: string): number {
    return this.state.tokens.expire(this.state.now(), accessToken);
  }

  finishProcessing(): void {
    const now = this.state.now();
    for (const audience of this.state.audiences.values()) audience.finishProcessing(now);
  }

  alterAnswers(alter?: AnswerAlteration): void {
    this.alteration = alter;
  }
}
