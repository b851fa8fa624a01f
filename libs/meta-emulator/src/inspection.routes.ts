import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultAdminAnswer, type FaultAdminPolicy } from '@conduit/emulator-kit';
import type { Audience } from './audience';
import type { MetaThrottleSettings } from './emulator.options';
import type { MetaState } from './emulator-state';
import {
  FaultInjector,
  invalidFaultSettings,
  invalidScheduledFault,
  type FaultOutcome,
  type ScheduledFault,
} from './faults';
import type { RequestLogEntry } from './graph-call';
import { readBody, sendJson, type Json } from './http-io';
import type { AudienceSummary, InspectedAudience, InspectedSession } from './inspection.types';
import { REVOKE_REASONS, type RevokeReason } from './token-store';
import type { UploadSession } from './upload-sessions';

export const ADMIN_PREFIX = '/_emulator';
const ADMIN_BODY_LIMIT = 64 * 1024;

/** The request log keeps the latest calls only: a long-running emulator must not grow without end. */
export const MAX_LOGGED_REQUESTS = 100_000;

/**
 * Inspection and control (not Meta paths), for specs and for a person trying the connector: the
 * exact identifiers an audience holds per key, sessions and their batches, the calls received,
 * faults, tokens (revoke, expire), the ad accounts' terms flag, the throttle.
 */
export class InspectionRoutes {
  constructor(
    private readonly state: MetaState,
    private readonly faults: FaultInjector,
    readonly requestLog: RequestLogEntry[],
  ) {}

  /** The admin API's fault routes: settings checked against the configured ones, bodies kept whole. */
  private readonly faultAdmin: FaultAdminPolicy<ScheduledFault> = {
    invalidSettings: (settings) => invalidFaultSettings(settings, this.state.options.faults),
    invalidScheduled: invalidScheduledFault,
    scheduled: (fault) => ({ ...fault, outcome: fault.outcome as FaultOutcome, times: fault.times ?? 1 }),
  };

  audienceSummary(audience: Audience): AudienceSummary {
    return {
      audience_id: audience.id,
      ad_account_id: audience.adAccountId,
      name: audience.name,
      description: audience.description,
      customer_file_source: audience.customerFileSource,
      data_source: audience.family ?? null,
      size: audience.members.size,
      matched: audience.members.matched,
      processing: this.state.now() < audience.processingUntil,
      replace_failed: audience.replaceFailed,
    };
  }

  /** One audience with every identifier it holds, per key, sorted. */
  inspectAudience(id: string): InspectedAudience | undefined {
    this.state.expireReplaces();
    const audience = this.state.audiences.get(id);
    if (!audience) return undefined;
    return {
      ...this.audienceSummary(audience),
      identifiers: audience.members.identifiers(),
      sessions: this.state.sessions.ofAudience(id).map(renderSession),
    };
  }

  async handle(method: string, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = url.pathname.slice(ADMIN_PREFIX.length);
    const body = method === 'POST' ? await readAdminJson(request) : {};
    if (body === undefined)
      return sendJson(response, 400, { error: 'The body must be a JSON object (at most 64 KB).' });
    const audience = /^\/audiences\/(\d{1,20})$/.exec(path);
    const audienceSessions = /^\/audiences\/(\d{1,20})\/sessions$/.exec(path);
    const terms = /^\/ad-accounts\/(?:act_)?(\d{1,20})\/terms$/.exec(path);
    if (method === 'GET' && path === '/health') return sendJson(response, 200, { status: 'ok' });
    if (method === 'GET' && path === '/audiences') {
      this.state.expireReplaces();
      const account = url.searchParams.get('ad_account_id')?.replace(/^act_/, '');
      const audiences = [...this.state.audiences.values()].filter(
        (candidate) => !account || candidate.adAccountId === account,
      );
      return sendJson(response, 200, {
        audiences: audiences.map((candidate) => this.audienceSummary(candidate)),
      });
    }
    if (method === 'GET' && audience) {
      const found = this.inspectAudience(audience[1]);
      return found
        ? sendJson(response, 200, found)
        : sendJson(response, 404, { error: `No audience ${audience[1]}` });
    }
    if (method === 'GET' && audienceSessions) {
      this.state.expireReplaces();
      return sendJson(response, 200, {
        sessions: this.state.sessions.ofAudience(audienceSessions[1]).map(renderSession),
      });
    }
    if (method === 'POST' && path === '/audiences/finish-processing') {
      const now = this.state.now();
      for (const candidate of this.state.audiences.values()) candidate.finishProcessing(now);
      return sendJson(response, 200, {});
    }
    if (method === 'GET' && path === '/requests')
      return sendJson(response, 200, { requests: this.requestLog });
    if (method === 'DELETE' && path === '/requests') {
      this.requestLog.length = 0;
      return sendJson(response, 200, {});
    }
    if (method === 'GET' && path === '/ad-accounts')
      return sendJson(response, 200, { ad_accounts: this.state.options.adAccounts });
    if (method === 'POST' && terms) {
      const account = this.state.options.adAccounts.find((candidate) => candidate.id === terms[1]);
      if (!account) return sendJson(response, 404, { error: `No ad account ${terms[1]}` });
      if (typeof body['accepted'] !== 'boolean')
        return sendJson(response, 400, { error: 'accepted must be true or false' });
      account.termsAccepted = body['accepted'];
      return sendJson(response, 200, account);
    }
    if (method === 'GET' && path === '/tokens')
      return sendJson(response, 200, { tokens: this.state.tokens.list() });
    if (method === 'POST' && path === '/tokens/revoke') {
      const reason = (body['reason'] ?? 'deauthorized') as RevokeReason;
      if (!REVOKE_REASONS.includes(reason))
        return sendJson(response, 400, { error: `reason must be one of ${REVOKE_REASONS.join(', ')}` });
      const by = { accessToken: stringOf(body['access_token']), userId: stringOf(body['user_id']) };
      if (!by.accessToken && !by.userId)
        return sendJson(response, 400, { error: 'Give access_token or user_id' });
      return sendJson(response, 200, { revoked: this.state.tokens.revoke(by, reason) });
    }
    if (method === 'POST' && path === '/tokens/expire')
      return sendJson(response, 200, {
        expired: this.state.tokens.expire(this.state.now(), stringOf(body['access_token'])),
      });
    const faultAnswer = faultAdminAnswer(this.faults, this.faultAdmin, method, path, body);
    if (faultAnswer) return sendJson(response, faultAnswer.status, faultAnswer.body);
    if (method === 'GET' && path === '/throttle') return sendJson(response, 200, this.state.throttle.current);
    if (method === 'POST' && path === '/throttle') {
      const invalid = invalidThrottle(body);
      if (invalid) return sendJson(response, 400, { error: invalid });
      this.state.throttle.configure(body as Partial<MetaThrottleSettings>);
      return sendJson(response, 200, this.state.throttle.current);
    }
    if (method === 'DELETE' && path === '/throttle') {
      this.state.throttle.reset();
      return sendJson(response, 200, this.state.throttle.current);
    }
    sendJson(response, 404, { error: `No admin route ${method} ${path}` });
  }
}

function renderSession(session: UploadSession): InspectedSession {
  return {
    session_id: session.sessionId,
    ad_account_id: session.adAccountId,
    audience_id: session.audienceId,
    kind: session.kind,
    assigned_by_emulator: session.assigned,
    state: session.state,
    started_at: new Date(session.startedAt).toISOString(),
    num_received: session.numReceived,
    num_invalid_entries: session.numInvalid,
    ...(session.estimatedTotal !== undefined ? { estimated_num_total: session.estimatedTotal } : {}),
    batches: session.batches.map((batch) => ({
      batch_seq: batch.batchSeq,
      rows: batch.rows,
      invalid: batch.invalid,
      last_batch_flag: batch.lastBatchFlag,
      at: new Date(batch.at).toISOString(),
    })),
  };
}

const THROTTLE_NUMBERS = ['windowMs', 'customAudienceCalls', 'perAudienceCalls', 'maxCalls', 'appCalls'];

function invalidThrottle(body: Json): string | undefined {
  for (const [name, value] of Object.entries(body)) {
    if (name === 'httpStatus') {
      if (value !== 400 && value !== 429) return 'httpStatus must be 400 or 429';
    } else if (!THROTTLE_NUMBERS.includes(name) || !Number.isInteger(value) || (value as number) < 0)
      return `Unknown or invalid throttle setting "${name}"; whole numbers >= 0 for ${THROTTLE_NUMBERS.join(', ')}`;
  }
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function readAdminJson(request: IncomingMessage): Promise<Json | undefined> {
  try {
    const text = (await readBody(request, ADMIN_BODY_LIMIT)).toString('utf8');
    const value: unknown = text ? JSON.parse(text) : {};
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    request.resume();
    return undefined;
  }
}
