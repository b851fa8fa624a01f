import { randomBytes } from 'node:crypto';
import { hashNonce, OAuthStateCodec } from './oauth-state';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('OAuthStateCodec', () => {
  const current = key('new');
  const previous = key('old');
  const codec = new OAuthStateCodec([current, previous]);
  const input = { authorizationId: 'aut_1', companyId: 'cmp_1', ttlMs: 600_000 };

  it('issues states that check out with their claims until they expire', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const { state, claims } = codec.issue({ ...input, now });
    expect(state).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(claims).toMatchObject({ authorizationId: 'aut_1', companyId: 'cmp_1' });
    expect(claims.expiresAt.toISOString()).toBe('2026-11-25T10:10:00.000Z');
    expect(codec.check(state, new Date('2026-11-25T10:09:59Z'))).toEqual({ valid: true, claims });
    expect(codec.check(state, new Date('2026-11-25T10:10:00Z'))).toEqual({
      valid: false,
      reason: 'EXPIRED',
      claims,
    });
  });

  it('gives every state its own nonce', () => {
    const a = codec.issue(input);
    const b = codec.issue(input);
    expect(a.state).not.toBe(b.state);
    expect(a.claims.nonce).not.toBe(b.claims.nonce);
    expect(hashNonce(a.claims.nonce)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses tampered claims, a foreign key and garbage', () => {
    const { state } = codec.issue(input);
    const [body, signature] = state.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const tampered = Buffer.from(JSON.stringify({ ...claims, c: 'cmp_2' })).toString('base64url');
    expect(codec.check(`${tampered}.${signature}`)).toEqual({ valid: false, reason: 'FORGED' });
    expect(codec.check(`${body}.${signature.slice(1)}x`)).toEqual({ valid: false, reason: 'FORGED' });
    expect(new OAuthStateCodec([key('new')]).check(state)).toEqual({ valid: false, reason: 'FORGED' });
    const unknownKey = Buffer.from(JSON.stringify({ ...claims, k: 'nope' })).toString('base64url');
    expect(codec.check(`${unknownKey}.${signature}`)).toEqual({ valid: false, reason: 'FORGED' });
    for (const garbage of [
      '',
      'abc',
      'a.b.c',
      `${'x'.repeat(2000)}.y`,
      'bm90IGpzb24.sig',
      `${Buffer.from('{"k":1}').toString('base64url')}.s`,
    ]) {
      expect(codec.check(garbage)).toEqual({ valid: false, reason: 'MALFORMED' });
    }
  });

  it('keeps verifying states signed with a previous key after a rotation', () => {
    const before = new OAuthStateCodec([previous]).issue(input);
    expect(codec.check(before.state)).toMatchObject({ valid: true });
  });

  it('needs a key', () => {
    expect(() => new OAuthStateCodec([])).toThrow(/at least one key/);
  });
});
