import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultAdminAnswer, type FaultAdminPolicy } from '@conduit/emulator-kit';
import type { RequestLogEntry } from './api-call';
import type { FaultSettings } from './emulator.options';
import type { TikTokState } from './emulator-state';
import {
  FaultInjector,
  invalidFaultSettings,
  invalidScheduledFault,
  type FaultOutcome,
  type ScheduledFault,
} from './faults';
import { JSON_BODY_LIMIT, readBody, sendJson, type Json } from './http-io';

export const ADMIN_PREFIX = '/_emulator';

/**
 * Inspection and control (not TikTok paths), for specs and for a person trying the connector: the
 * audiences as stored (identifier counts and digests by type), uploaded files, the calls received,
 * faults, token revocation, the end of processing.
 */
export class InspectionRoutes {
  constructor(
    private readonly state: TikTokState,
    private readonly faults: FaultInjector,
    readonly requestLog: RequestLogEntry[],
  ) {}

  /** The admin API's fault routes: a scheduled fault keeps its path, outcome, times and code only. */
  private readonly faultAdmin: FaultAdminPolicy<ScheduledFault> = {
    invalidSettings: (settings) => invalidFaultSettings(settings, this.state.options.faults),
    invalidScheduled: invalidScheduledFault,
    scheduled: (fault) => ({
      path: fault.path,
      outcome: fault.outcome as FaultOutcome,
      times: fault.times ?? 1,
      ...(fault.outcome === 'code' ? { code: fault.code, message: fault.message } : {}),
    }),
  };

  /** Audiences as stored: identifier counts and digests by type. */
  inspectAudiences(advertiserId?: string): Json[] {
    return [...this.state.audiences.values()]
      .filter((audience) => !advertiserId || audience.advertiserId === advertiserId)
      .map((audience) => ({
        audience_id: audience.id,
        advertiser_id: audience.advertiserId,
        name: audience.name,
        calculate_type: audience.calculateType,
        size: audience.size,
        matched: audience.matched,
        is_valid: this.state.isValid(audience),
        processing: this.state.isProcessing(audience),
        identifiers: audience.contents(),
        history: audience.history.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
      }));
  }

  inspectFile(filePath: string): Json | undefined {
    const file = this.state.files.get(filePath);
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

  configureFaults(settings: Partial<FaultSettings>, seed?: number): void {
    this.faults.configure(settings, seed);
  }

  scheduleFault(fault: ScheduledFault): void {
    this.faults.schedule(fault);
  }

  /** Forgets the one-off faults not yet used up (the rates stay). */
  clearScheduledFaults(): void {
    this.faults.clear();
  }

  async handle(method: string, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
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
    const faultAnswer = faultAdminAnswer(this.faults, this.faultAdmin, method, path, body);
    if (faultAnswer) return sendJson(response, faultAnswer.status, faultAnswer.body);
    if (method === 'POST' && path === '/tokens/revoke') {
      const by = body as { access_token?: string; advertiser_id?: string };
      return sendJson(response, 200, {
        revoked: this.state.revokeTokens({ accessToken: by.access_token, advertiserId: by.advertiser_id }),
      });
    }
    if (method === 'POST' && path === '/audiences/finish-processing') {
      this.state.finishProcessing();
      return sendJson(response, 200, {});
    }
    sendJson(response, 404, { error: `No admin route ${method} ${path}` });
  }
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
