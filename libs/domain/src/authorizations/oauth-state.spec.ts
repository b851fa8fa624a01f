import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { hashNonce, OAuthStateCodec, type StateSigningKey } from './oauth-state';

const key = (id: string) => ({ id, key: randomBytes(32) });

/** A state signed as the codec signs (HKDF of the secret, its own label), whatever the claims hold. */
function sign(claims: object, secret: StateSigningKey): string {
  const stateKey = Buffer.from(hkdfSync('sha256', secret.key, Buffer.alloc(0), 'conduit/oauth-state', 32));
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${createHmac('sha256', stateKey).update(body).digest('base64url')}`;
}

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

  describe('signed claims', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const wire = { k: 'new', a: 'aut_1', c: 'cmp_1', n: 'nonce_1', e: now.getTime() + 60_000 };
    const claims = {
      authorizationId: 'aut_1',
      companyId: 'cmp_1',
      nonce: 'nonce_1',
      expiresAt: new Date(wire.e),
    };

    it('are signed with a key derived for states, not with the secret itself', () => {
      expect(codec.check(sign(wire, current), now)).toEqual({ valid: true, claims });
      const body = sign(wire, current).split('.')[0];
      const withSecret = createHmac('sha256', current.key).update(body).digest('base64url');
      expect(codec.check(`${body}.${withSecret}`, now)).toEqual({ valid: false, reason: 'FORGED' });
    });

    it.each(['k', 'a', 'c', 'n'] as const)(
      'refuses a signed state whose %s is not a short string',
      (field) => {
        for (const bad of [undefined, '', 'x'.repeat(65), ['aut_1'], 42, null]) {
          expect([bad, codec.check(sign({ ...wire, [field]: bad }, current), now)]).toEqual([
            bad,
            { valid: false, reason: 'MALFORMED' },
          ]);
        }
      },
    );

    it('takes fields of 64 characters', () => {
      const long = 'x'.repeat(64);
      const codecWithLongId = new OAuthStateCodec([{ id: long, key: current.key }]);
      const state = sign({ k: long, a: long, c: long, n: long, e: wire.e }, current);
      expect(codecWithLongId.check(state, now)).toEqual({
        valid: true,
        claims: { authorizationId: long, companyId: long, nonce: long, expiresAt: new Date(wire.e) },
      });
    });

    it('refuses a signed state whose expiry is not a whole number of milliseconds', () => {
      for (const bad of [undefined, wire.e + 0.5, String(wire.e), 2 ** 53, null]) {
        expect([bad, codec.check(sign({ ...wire, e: bad }, current), now)]).toEqual([
          bad,
          { valid: false, reason: 'MALFORMED' },
        ]);
      }
    });

    it('refuses a signed state over 1024 characters, whatever it holds', () => {
      // Unknown claims are ignored, so padding makes a state of any length that is otherwise valid.
      const padded = (length: number) => {
        for (let pad = 0; ; pad++) {
          const state = sign({ ...wire, pad: 'x'.repeat(pad) }, current);
          if (state.length >= length) return state;
        }
      };
      const longest = padded(1024);
      expect(longest).toHaveLength(1024);
      expect(codec.check(longest, now)).toEqual({ valid: true, claims });
      const over = padded(1025); // no base64url body is 4n + 1 long, so no state is 1025 long
      expect(over).toHaveLength(1026);
      expect(codec.check(over, now)).toEqual({ valid: false, reason: 'MALFORMED' });
    });

    it('refuses a valid state with a part added', () => {
      const state = sign(wire, current);
      expect(codec.check(`${state}.${state.split('.')[1]}`, now)).toEqual({
        valid: false,
        reason: 'MALFORMED',
      });
    });

    it('refuses a signature of another length as forged', () => {
      const [body, signature] = sign(wire, current).split('.');
      for (const other of [signature.slice(0, -1), `${signature}A`, '']) {
        expect(codec.check(`${body}.${other}`, now)).toEqual({ valid: false, reason: 'FORGED' });
      }
    });
  });

  it('refuses a state that is not a string (a repeated query parameter is an array)', () => {
    const { state } = codec.issue(input);
    for (const notAString of [[state], [state, state], null, undefined, 42, { length: 1 }]) {
      expect(codec.check(notAString as unknown as string)).toEqual({ valid: false, reason: 'MALFORMED' });
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
