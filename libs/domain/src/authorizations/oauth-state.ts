import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a state binds: one authorization of one company, one nonce, one deadline. */
export interface OAuthStateClaims {
  authorizationId: string;
  companyId: string;
  nonce: string;
  expiresAt: Date;
}

export type OAuthStateCheck =
  | { valid: true; claims: OAuthStateClaims }
  | { valid: false; reason: 'MALFORMED' | 'FORGED' }
  | { valid: false; reason: 'EXPIRED'; claims: OAuthStateClaims };

interface WireClaims {
  k: string;
  a: string;
  c: string;
  n: string;
  e: number;
}

/** A secret from CONDUIT_ENCRYPTION_KEYS; states are signed with a key derived from it, never with it. */
export interface StateSigningKey {
  id: string;
  key: Buffer;
}

const MAX_STATE_LENGTH = 1024;

/**
 * OAuth `state` values: `<claims>.<HMAC-SHA256>`, base64url. The signature proves we issued it; the
 * claims bind it to an authorization and its company and give it a deadline. Single use is the
 * caller's part: the nonce's hash is stored on the authorization and cleared when the state is used.
 */
export class OAuthStateCodec {
  readonly #keys = new Map<string, Buffer>();
  readonly #currentKeyId: string;

  constructor(keys: readonly StateSigningKey[]) {
    if (keys.length === 0) throw new Error('OAuthStateCodec needs at least one key.');
    for (const { id, key } of keys) {
      this.#keys.set(id, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'conduit/oauth-state', 32)));
    }
    this.#currentKeyId = keys[0].id;
  }

  issue(input: { authorizationId: string; companyId: string; ttlMs: number; now?: Date }): {
    state: string;
    claims: OAuthStateClaims;
  } {
    const now = input.now ?? new Date();
    const claims: OAuthStateClaims = {
      authorizationId: input.authorizationId,
      companyId: input.companyId,
      nonce: randomBytes(18).toString('base64url'),
      expiresAt: new Date(now.getTime() + input.ttlMs),
    };
    const wire: WireClaims = {
      k: this.#currentKeyId,
      a: claims.authorizationId,
      c: claims.companyId,
      n: claims.nonce,
      e: claims.expiresAt.getTime(),
    };
    const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
    return { state: `${body}.${this.#sign(this.#currentKeyId, body)}`, claims };
  }

  check(state: string, now = new Date()): OAuthStateCheck {
    const parts = typeof state === 'string' && state.length <= MAX_STATE_LENGTH ? state.split('.') : [];
    if (parts.length !== 2) return { valid: false, reason: 'MALFORMED' };
    const [body, signature] = parts;
    const wire = parseClaims(body);
    if (!wire) return { valid: false, reason: 'MALFORMED' };
    const expected = this.#keys.has(wire.k) ? this.#sign(wire.k, body) : undefined;
    if (!expected || !safeEqual(expected, signature)) return { valid: false, reason: 'FORGED' };
    const claims: OAuthStateClaims = {
      authorizationId: wire.a,
      companyId: wire.c,
      nonce: wire.n,
      expiresAt: new Date(wire.e),
    };
    if (claims.expiresAt.getTime() <= now.getTime()) return { valid: false, reason: 'EXPIRED', claims };
    return { valid: true, claims };
  }

  #sign(keyId: string, body: string): string {
    return createHmac('sha256', this.#keys.get(keyId) as Buffer)
      .update(body)
      .digest('base64url');
  }
}

/** What is stored for single use: a hash, so a database reader cannot replay a pending state. */
export function hashNonce(nonce: string): string {
  return createHash('sha256').update(nonce).digest('hex');
}

function parseClaims(body: string): WireClaims | undefined {
  try {
    const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<WireClaims>;
    const strings = [value.k, value.a, value.c, value.n].every(
      (field) => typeof field === 'string' && field.length > 0 && field.length <= 64,
    );
    return strings && Number.isSafeInteger(value.e) ? (value as WireClaims) : undefined;
  } catch {
    return undefined;
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
