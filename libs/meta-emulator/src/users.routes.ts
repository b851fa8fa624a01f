import {
  compileWire,
  GraphSubcode,
  WIRE_USERS_SESSION_SCHEMA,
  type WireUsersSession,
} from '@conduit/destinations-meta-wire';
import type { Audience } from './audience';
import type { MetaState } from './emulator-state';
import type { GraphCall, GraphRoute } from './graph-call';
import { audienceUpdateFailed, invalidParameter, termsNotAccepted } from './graph-errors';
import type { Json } from './http-io';
import { jsonParam } from './request-params';
import type { UploadSession } from './upload-sessions';
import { familyMismatch, parsePayload, type ParsedPayload } from './users-payload';

const checkSession = compileWire(WIRE_USERS_SESSION_SCHEMA);

/**
 * Audience members (reference §4): `/users` adds (POST) and removes (DELETE, or POST with
 * `method=DELETE`) in sessions of batches; `/usersreplace` replaces everyone through one session at a
 * time; `/act_<id>/usersofanyaudience` removes people from every audience of the account;
 * `/<id>/sessions` lists an audience's sessions.
 */
export class UsersRoutes {
  constructor(private readonly state: MetaState) {}

  get routes(): GraphRoute[] {
    return [
      { method: 'POST', template: '/{audience_id}/users', handle: (call) => this.users(call, 'add') },
      { method: 'DELETE', template: '/{audience_id}/users', handle: (call) => this.users(call, 'remove') },
      { method: 'POST', template: '/{audience_id}/usersreplace', handle: (call) => this.replace(call) },
      {
        method: 'DELETE',
        template: '/act_{ad_account_id}/usersofanyaudience',
        handle: (call) => this.removeFromAll(call),
      },
      { method: 'GET', template: '/{audience_id}/sessions', handle: (call) => this.sessions(call) },
    ];
  }

  private users(call: GraphCall, kind: 'add' | 'remove'): Json {
    const audience = this.writableAudience(call);
    const running = this.state.sessions.activeReplace(audience.id);
    // Meta says not to use /users during a replace; the answer it gives is UNCONFIRMED.
    if (running)
      audienceUpdateFailed(
        GraphSubcode.AUDIENCE_UPDATE_IN_PROGRESS,
        'Audience Update In Progress',
        `A replace (session ${running.sessionId}) is running on this audience. Wait until it finishes.`,
      );
    const sessionParam = this.sessionParam(call, false);
    const payload = this.payload(call, audience);
    const now = this.state.now();
    const session = this.state.sessions.forUsers(audience.adAccountId, audience.id, kind, sessionParam, now);
    this.record(call, session, sessionParam, payload);
    audience.family = payload.family;
    audience.update(now, this.state.options.processingDelayMs, (members) =>
      kind === 'add' ? members.add(payload.rows) : members.remove(payload.rows),
    );
    if (!sessionParam || sessionParam.last_batch_flag) session.state = 'finished';
    return this.answer(audience.id, session, payload);
  }

  private replace(call: GraphCall): Json {
    const audience = this.writableAudience(call);
    const sessionParam = this.sessionParam(call, true) as WireUsersSession;
    const payload = this.payload(call, audience);
    const now = this.state.now();
    const session = this.state.sessions.forReplace(
      audience.adAccountId,
      audience.id,
      sessionParam,
      payload.schema,
      now,
    );
    this.record(call, session, sessionParam, payload);
    audience.family = payload.family;
    for (const row of payload.rows) session.staged?.push(row);
    if (sessionParam.last_batch_flag) {
      session.state = 'finished';
      const staged = session.staged ?? [];
      audience.update(now, this.state.options.processingDelayMs, (members) => {
        members.clear();
        members.add(staged);
      });
      audience.replaceFailed = false;
      session.staged = undefined;
    }
    return this.answer(audience.id, session, payload);
  }

  private removeFromAll(call: GraphCall): Json {
    this.state.authenticate(call, 'write');
    const account = this.state.adAccount(call, call.ids.ad_account_id as string);
    this.state.throttleAdAccount(call, account.id);
    if (!account.termsAccepted) termsNotAccepted(account.id);
    const payload = parsePayload(jsonParam(call.params, 'payload'), this.state.options.maxRowsPerRequest);
    const now = this.state.now();
    const session = this.state.sessions.forUsers(account.id, `act_${account.id}`, 'remove', undefined, now);
    this.record(call, session, undefined, payload);
    session.state = 'finished';
    for (const audience of this.state.audiencesOf(account.id))
      audience.update(now, this.state.options.processingDelayMs, (members) => members.remove(payload.rows));
    return {
      account_id: account.id,
      session_id: session.sessionId,
      num_received: session.numReceived,
      num_invalid_entries: session.numInvalid,
      invalid_entry_samples: payload.samples,
    };
  }

  /** `CustomAudienceSession`s of the audience (reference §6), newest first. */
  private sessions(call: GraphCall): Json {
    this.state.authenticate(call, 'read');
    const audience = this.state.audience(call, call.ids.audience_id as string);
    this.state.throttleAdAccount(call, audience.adAccountId);
    this.state.expireReplaces();
    const sessions = this.state.sessions.ofAudience(audience.id).slice(-100).reverse();
    return {
      data: sessions.map((session) => ({
        session_id: session.sessionId,
        start_time: Math.floor(session.startedAt / 1000),
        end_time:
          session.state === 'open' ? 0 : Math.floor((session.batches.at(-1)?.at ?? session.startedAt) / 1000),
        num_received: session.numReceived,
        num_invalid_entries: session.numInvalid,
        num_matched: Math.round((session.numReceived - session.numInvalid) * this.state.options.matchRate),
        progress: session.state === 'open' ? 50 : 100,
        stage:
          session.state === 'open' ? 'uploading' : session.state === 'timed_out' ? 'timed_out' : 'finished',
      })),
    };
  }

  /** The audience a member call changes: terms accepted, the replace window swept. */
  private writableAudience(call: GraphCall): Audience {
    this.state.authenticate(call, 'write');
    const audience = this.state.audience(call, call.ids.audience_id as string);
    this.state.throttleAdAccount(call, audience.adAccountId);
    const account = this.state.adAccount(call, audience.adAccountId);
    if (!account.termsAccepted) termsNotAccepted(account.id);
    this.state.expireReplaces();
    return audience;
  }

  /** `session` as JSON (string or object); `session_id` may come as a string of digits. */
  private sessionParam(call: GraphCall, required: boolean): WireUsersSession | undefined {
    const value = jsonParam(call.params, 'session');
    if (value === undefined || value === null || value === '') {
      if (required) invalidParameter('The parameter session is required');
      return undefined;
    }
    const session =
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof (value as Json)['session_id'] === 'string' &&
      /^\d{1,16}$/.test((value as Json)['session_id'] as string)
        ? { ...(value as Json), session_id: Number((value as Json)['session_id']) }
        : value;
    if (!checkSession(session))
      return invalidParameter(`Invalid session: ${checkSession.lastErrors.join('; ')}`);
    call.logEntry.sessionId = String(session.session_id);
    call.logEntry.batchSeq = session.batch_seq;
    return session;
  }

  private payload(call: GraphCall, audience: Audience): ParsedPayload {
    const payload = parsePayload(jsonParam(call.params, 'payload'), this.state.options.maxRowsPerRequest);
    call.logEntry.rows = payload.received;
    if (audience.family && audience.family !== payload.family)
      familyMismatch(audience.family, payload.family);
    return payload;
  }

  private record(
    call: GraphCall,
    session: UploadSession,
    sessionParam: WireUsersSession | undefined,
    payload: ParsedPayload,
  ): void {
    call.logEntry.sessionId = session.sessionId;
    call.logEntry.rows = payload.received;
    session.batches.push({
      batchSeq: sessionParam?.batch_seq ?? 1,
      rows: payload.received,
      invalid: payload.invalid,
      lastBatchFlag: sessionParam?.last_batch_flag ?? true,
      at: this.state.now(),
    });
    session.numReceived += payload.received;
    session.numInvalid += payload.invalid;
  }

  private answer(audienceId: string, session: UploadSession, payload: ParsedPayload): Json {
    return {
      audience_id: audienceId,
      session_id: session.sessionId,
      num_received: session.numReceived,
      num_invalid_entries: session.numInvalid,
      invalid_entry_samples: payload.samples,
    };
  }
}
