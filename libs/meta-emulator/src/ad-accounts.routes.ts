import { invalidParameter } from './graph-errors';
import type { MetaState } from './emulator-state';
import type { MetaEmulatorAdAccount } from './emulator.options';
import type { GraphCall, GraphRoute } from './graph-call';
import type { Json } from './http-io';
import { fieldsParam, stringParam } from './request-params';

/** Graph's default page size, and the largest `limit` the emulator serves. */
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 500;

const AD_ACCOUNT_FIELDS = [
  'id',
  'account_id',
  'name',
  'account_status',
  'currency',
  'timezone_name',
  'tos_accepted',
  'user_tos_accepted',
  'user_tasks',
] as const;

/** The person (`/me`) and the ad accounts they can use (reference §1.6, §8). */
export class AdAccountRoutes {
  constructor(private readonly state: MetaState) {}

  get routes(): GraphRoute[] {
    return [
      { method: 'GET', template: '/me', handle: (call) => this.me(call) },
      { method: 'GET', template: '/me/adaccounts', handle: (call) => this.adAccounts(call) },
      { method: 'DELETE', template: '/me/permissions', handle: (call) => this.deauthorize(call) },
      { method: 'GET', template: '/act_{ad_account_id}', handle: (call) => this.adAccount(call) },
    ];
  }

  private me(call: GraphCall): Json {
    this.state.authenticate(call, 'read');
    return { id: this.state.options.user.id, name: this.state.options.user.name };
  }

  /**
   * `DELETE /me/permissions` (Graph's User permissions edge): the person removes the app, so every
   * token of theirs stops working (190/458), as when they remove it in their Facebook settings.
   */
  private deauthorize(call: GraphCall): Json {
    const token = this.state.authenticate(call, 'read');
    this.state.tokens.revoke({ userId: token.userId }, 'deauthorized');
    return { success: true };
  }

  /** `fields`, `limit` and an `after` cursor; `paging.next` until the last page. */
  private adAccounts(call: GraphCall): Json {
    this.state.authenticate(call, 'read');
    const fields = this.fields(call);
    const accounts = this.state.options.adAccounts;
    const { page, paging } = paginate(call, accounts.length);
    return {
      data: accounts.slice(page.start, page.end).map((account) => this.render(account, fields)),
      ...paging,
    };
  }

  private adAccount(call: GraphCall): Json {
    this.state.authenticate(call, 'read');
    const account = this.state.adAccount(call, call.ids.ad_account_id as string);
    return this.render(account, this.fields(call));
  }

  private fields(call: GraphCall): string[] {
    const fields = fieldsParam(call.params, ['id']);
    const unknown = fields.find((field) => !(AD_ACCOUNT_FIELDS as readonly string[]).includes(field));
    if (unknown)
      invalidParameter(
        `Tried accessing nonexisting field (${unknown.slice(0, 64)}) on node type (AdAccount)`,
      );
    return fields.includes('id') ? fields : ['id', ...fields];
  }

  /**
   * One account with the fields asked for. `tos_accepted` holds `custom_audience_tos: 1` once the
   * terms are accepted and is `{}` before (reference §8: what Meta answers then is UNCONFIRMED).
   */
  private render(account: MetaEmulatorAdAccount, fields: string[]): Json {
    const terms = account.termsAccepted ? { custom_audience_tos: 1 } : {};
    const all: Json = {
      id: `act_${account.id}`,
      account_id: account.id,
      name: account.name,
      account_status: account.accountStatus ?? 1,
      currency: account.currency ?? 'USD',
      timezone_name: 'Etc/UTC',
      tos_accepted: terms,
      user_tos_accepted: terms,
      user_tasks: ['MANAGE', 'ADVERTISE', 'ANALYZE'],
    };
    return Object.fromEntries(fields.map((field) => [field, all[field]]));
  }
}

/**
 * Cursor paging as Graph does it: `limit` (default 25), `after` an opaque cursor; `paging.next` is
 * the full URL of the next page (the same parameters, the token included as the client sent it).
 */
export function paginate(
  call: GraphCall,
  total: number,
): { page: { start: number; end: number }; paging: Json } {
  const limitText = stringParam(call.params, 'limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    invalidParameter(`Param limit must be an integer between 1 and ${MAX_LIMIT}`);
  const after = stringParam(call.params, 'after', { maxLength: 64 });
  const start = after === undefined ? 0 : decodeCursor(after);
  const end = Math.min(total, start + limit);
  if (total === 0 || start >= total) return { page: { start, end: start }, paging: {} };
  const paging: Json = { cursors: { before: encodeCursor(start), after: encodeCursor(end) } };
  if (end < total) {
    const next = new URL(`${call.versionUrl}${call.logEntry.path}`);
    for (const [name, value] of Object.entries(call.params))
      if (typeof value === 'string' && name !== 'after') next.searchParams.set(name, value);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('after', encodeCursor(end));
    paging['next'] = next.toString();
  }
  return { page: { start, end }, paging: { paging } };
}

function encodeCursor(index: number): string {
  return Buffer.from(`cursor:${index}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return invalidParameter('Invalid cursor (after)');
  return Number(match[1]);
}
