import { createHash, randomBytes } from 'node:crypto';
import { GraphCode, GraphSubcode } from '@conduit/destinations-meta-wire';
import { fail } from './graph-errors';

/** A code from the login dialog: single-use, bound to the app, redirect URI and scopes. */
export interface AuthCode {
  appId: string;
  redirectUri: string;
  scopes: string[];
  userId: string;
  expiresAt: number;
  used: boolean;
}

/** Why a token stopped working, as Meta's 190 subcodes tell it (reference §1.7). */
export const REVOKE_REASONS = ['deauthorized', 'password_changed', 'invalidated'] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

export interface UserToken {
  appId: string;
  userId: string;
  scopes: string[];
  kind: 'short' | 'long';
  issuedAt: number;
  expiresAt: number;
  revoked?: RevokeReason;
}

/** Codes and user tokens; no refresh tokens exist (reference §1.3). */
export class TokenStore {
  private readonly codes = new Map<string, AuthCode>();
  private readonly tokens = new Map<string, UserToken>();

  issueCode(code: Omit<AuthCode, 'used'>): string {
    const value = `AQ${randomBytes(24).toString('base64url')}`;
    evictOldest(this.codes, MAX_CODES);
    this.codes.set(value, { ...code, used: false });
    return value;
  }

  code(value: string): AuthCode | undefined {
    return this.codes.get(value);
  }

  issueToken(token: UserToken): string {
    const value = `EAAB${randomBytes(30).toString('base64url')}`;
    evictOldest(this.tokens, MAX_TOKENS);
    this.tokens.set(value, token);
    return value;
  }

  token(value: string): UserToken | undefined {
    return this.tokens.get(value);
  }

  /**
   * The token if it is usable at `now`; otherwise the 190 Meta answers: no subcode for an unknown
   * token, 463 for an expired one, 458 / 460 for a revoked one.
   */
  valid(value: string, now: number): UserToken {
    const token = this.tokens.get(value);
    if (!token)
      return fail(GraphCode.TOKEN_INVALID, 'Invalid OAuth access token - Cannot parse access token');
    if (token.revoked === 'deauthorized')
      fail(
        GraphCode.TOKEN_INVALID,
        `Error validating access token: The user has not authorized application ${token.appId}.`,
        {
          subcode: GraphSubcode.APP_NOT_AUTHORIZED,
        },
      );
    if (token.revoked === 'password_changed')
      fail(
        GraphCode.TOKEN_INVALID,
        'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
        { subcode: GraphSubcode.PASSWORD_CHANGED },
      );
    if (token.revoked === 'invalidated')
      fail(GraphCode.TOKEN_INVALID, 'Error validating access token: The session is invalid.', {
        subcode: GraphSubcode.TOKEN_INVALID,
      });
    if (now >= token.expiresAt)
      fail(
        GraphCode.TOKEN_INVALID,
        `Error validating access token: Session has expired on ${metaDate(token.expiresAt)}. The current time is ${metaDate(now)}.`,
        { subcode: GraphSubcode.TOKEN_EXPIRED },
      );
    return token;
  }

  /** Revokes one token, or every token of a user (`deauthorized` = the user removed the app). */
  revoke(by: { accessToken?: string; userId?: string }, reason: RevokeReason): number {
    let count = 0;
    for (const [value, token] of this.tokens) {
      if ((by.accessToken && value === by.accessToken) || (by.userId && token.userId === by.userId)) {
        if (!token.revoked) count++;
        token.revoked = reason;
      }
    }
    return count;
  }

  /** Ends a token's life at `now` (or every token's, without one). */
  expire(now: number, accessToken?: string): number {
    let count = 0;
    for (const [value, token] of this.tokens) {
      if (accessToken && value !== accessToken) continue;
      if (token.expiresAt > now) count++;
      token.expiresAt = Math.min(token.expiresAt, now);
    }
    return count;
  }

  /** What tests may see of the tokens: a fingerprint, never the token. */
  list(): { token_id: string; kind: string; expires_at: string; revoked: string | null; scopes: string[] }[] {
    return [...this.tokens.entries()].map(([value, token]) => ({
      token_id: tokenFingerprint(value),
      kind: token.kind,
      expires_at: new Date(token.expiresAt).toISOString(),
      revoked: token.revoked ?? null,
      scopes: token.scopes,
    }));
  }
}

/** Bounds on what a long-running emulator keeps: the oldest codes and tokens are forgotten first. */
const MAX_CODES = 10_000;
const MAX_TOKENS = 100_000;

function evictOldest<V>(map: Map<string, V>, max: number): void {
  while (map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}

/** Which token made a call, without the token: the first 12 hex of its SHA-256. */
export function tokenFingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

/** Meta's wording of a time in a 190/463 message: `Tuesday, 01-Aug-23 10:12:14 UTC`. */
function metaDate(ms: number): string {
  const date = new Date(ms);
  const weekday = date.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  const month = date.toLocaleDateString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${weekday}, ${pad(date.getUTCDate())}-${month}-${pad(date.getUTCFullYear() % 100)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}
