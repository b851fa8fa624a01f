import { createHash } from 'node:crypto';
import isEmail from 'validator/lib/isEmail';
import {
  normalizeEmail,
  normalizeIdentifier,
  normalizeMaid,
  normalizePhone,
  sha256Hex,
} from './normalize-identifier';

const sha = (value: string) => createHash('sha256').update(value).digest('hex');

describe('reference vectors (reference/tiktok-api.md)', () => {
  it('hashes janedoe@gmail.com as TikTok documents', () => {
    expect(normalizeIdentifier('EMAIL', 'RAW', 'janedoe@gmail.com')).toEqual({
      ok: true,
      hash: 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69',
    });
  });

  it('hashes the example MAID as TikTok documents, whatever its case', () => {
    const expected = { ok: true, hash: '83dc3f5f32b9472613b0f038d36f22585a609d018af6f6067f50da318bf354bd' };
    expect(normalizeIdentifier('MAID', 'RAW', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25')).toEqual(expected);
    expect(normalizeIdentifier('MAID', 'RAW', ' 5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25\n')).toEqual(expected);
    expect(normalizeIdentifier('MAID', 'RAW', '5f3a2b189c4d4e7fb8e217d3a1e69b25')).toEqual(expected);
  });

  it('hashes phones as E.164 with the + by default, digits only on request', () => {
    expect(normalizeIdentifier('PHONE', 'RAW', '+1 (415) 555-2671')).toEqual({
      ok: true,
      hash: sha('+14155552671'),
    });
    expect(
      normalizeIdentifier('PHONE', 'RAW', '+1 (415) 555-2671', { phoneHashIncludesPlus: false }),
    ).toEqual({ ok: true, hash: sha('14155552671') });
  });

  it('exposes the SHA-256 it uses', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['\tjohn+ads@example.co.uk\n', 'john+ads@example.co.uk'],
    ['JÖRG@example.com', 'jörg@example.com'], // isEmail accepts UTF-8 local parts; lowercased with Unicode rules
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
  ])('normalizes %p to %p', (raw, expected) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['jane.doe', 'MALFORMED'],
    ['jane@', 'MALFORMED'],
    ['@example.com', 'MALFORMED'],
    ['jane doe@example.com', 'MALFORMED'],
    ['jane@@example.com', 'MALFORMED'],
    [`${'a'.repeat(250)}@example.com`, 'TOO_LONG'],
  ])('rejects %p as %s', (raw, reason) => {
    expect(normalizeEmail(raw)).toEqual({ ok: false, reason });
  });
});

describe('normalizePhone', () => {
  it.each([
    ['+14155552671', {}, '+14155552671'],
    ['+1 415.555.2671', {}, '+14155552671'],
    ['0014155552671', {}, '+14155552671'], // 00 international prefix
    ['00 44 20 7946 0958', {}, '+442079460958'],
    ['14155552671', {}, '+14155552671'], // no region: digits read as international
    ['(415) 555-2671', { defaultPhoneRegion: 'US' }, '+14155552671'],
    ['020 7946 0958', { defaultPhoneRegion: 'GB' }, '+442079460958'],
    ['+44 20 7946 0958', { defaultPhoneRegion: 'US' }, '+442079460958'], // an explicit country code wins
  ])('normalizes %p (%j) to %p', (raw, options, expected) => {
    expect(normalizePhone(raw, options)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', {}, 'EMPTY'],
    [' - ', {}, 'EMPTY'],
    ['+1 415 CALL NOW', {}, 'MALFORMED'],
    ['415-555-2671 ext 5', {}, 'MALFORMED'],
    ['+1234567890123456', {}, 'TOO_LONG'], // 16 digits
    ['00123456789012345678', {}, 'TOO_LONG'],
    ['+1 555 0100', {}, 'MALFORMED'], // too short to be a number
    ['(415) 555-2671', {}, 'MALFORMED'], // national number without a region
    ['+999 1234 5678', {}, 'MALFORMED'], // no such country code
  ])('rejects %p (%j) as %s', (raw, options, reason) => {
    expect(normalizePhone(raw, options)).toEqual({ ok: false, reason });
  });
});

describe('normalizeMaid', () => {
  it.each([
    ['6D92078A-8246-4BA4-AE5B-76104861E7DC', '6d92078a-8246-4ba4-ae5b-76104861e7dc'],
    [' 6d92078a824 64ba4ae5b76104861e7dc '.replace(/ /g, ''), '6d92078a-8246-4ba4-ae5b-76104861e7dc'],
    ['38400000-8cf0-11bd-b23e-10b96e40000d', '38400000-8cf0-11bd-b23e-10b96e40000d'],
  ])('normalizes %p to %p', (raw, expected) => {
    expect(normalizeMaid(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'EMPTY'],
    ['00000000-0000-0000-0000-000000000000', 'MALFORMED'], // tracking disabled: no id
    ['6d92078a-8246-4ba4-ae5b-76104861e7d', 'MALFORMED'],
    ['6d92078a-8246-4ba4-ae5b-76104861e7dcx', 'MALFORMED'],
    ['zd92078a-8246-4ba4-ae5b-76104861e7dc', 'MALFORMED'],
    ['6d92078a82464ba4ae5b76104861e7d', 'MALFORMED'],
  ])('rejects %p as %s', (raw, reason) => {
    expect(normalizeMaid(raw)).toEqual({ ok: false, reason });
  });
});

describe('normalizeIdentifier', () => {
  const hash = sha('janedoe@gmail.com');

  it.each([
    ['lowercase', hash, hash],
    ['uppercase hex', hash.toUpperCase(), hash],
    ['surrounding whitespace', `  ${hash}\t`, hash],
  ])('passes pre-hashed values through (%s)', (_label, input, expected) => {
    for (const type of ['EMAIL', 'PHONE', 'MAID'] as const)
      expect(normalizeIdentifier(type, 'SHA256', input)).toEqual({ ok: true, hash: expected });
  });

  it.each([
    ['EMAIL', 'SHA256', 'janedoe@gmail.com', 'NOT_HASHED'],
    ['EMAIL', 'SHA256', hash.slice(1), 'NOT_HASHED'], // 63 characters
    ['EMAIL', 'SHA256', `${hash}0`, 'NOT_HASHED'], // 65 characters
    ['PHONE', 'SHA256', `${hash.slice(1)}g`, 'NOT_HASHED'],
    ['EMAIL', 'RAW', hash, 'LOOKS_HASHED'],
    ['MAID', 'RAW', hash.toUpperCase(), 'LOOKS_HASHED'],
    ['EMAIL', 'RAW', null, 'EMPTY'],
    ['EMAIL', 'RAW', undefined, 'EMPTY'],
    ['EMAIL', 'RAW', ' \n ', 'EMPTY'],
    ['EMAIL', 'SHA256', '', 'EMPTY'],
    ['EMAIL', 'RAW', ['a@example.com', 'b@example.com'], 'MULTI_VALUE'],
    ['EMAIL', 'RAW', { email: 'a@example.com' }, 'MALFORMED'],
    ['EMAIL', 'RAW', true, 'MALFORMED'],
    ['EMAIL', 'RAW', 'no-at-sign', 'MALFORMED'],
    ['PHONE', 'RAW', '+1234567890123456', 'TOO_LONG'],
    ['MAID', 'RAW', 'not-a-uuid', 'MALFORMED'],
  ] as const)('%s / %s %p → %s', (type, encoding, input, reason) => {
    expect(normalizeIdentifier(type, encoding, input)).toEqual({ ok: false, reason });
  });

  it('accepts numbers as phone input', () => {
    expect(normalizeIdentifier('PHONE', 'RAW', 14155552671)).toEqual({ ok: true, hash: sha('+14155552671') });
  });

  it('treats differently written forms of one identifier as one', () => {
    const forms = ['+1 415 555 2671', '001-415-555-2671', '14155552671'];
    expect(new Set(forms.map((form) => JSON.stringify(normalizeIdentifier('PHONE', 'RAW', form)))).size).toBe(
      1,
    );
    expect(normalizeIdentifier('EMAIL', 'RAW', ' JaneDoe@Gmail.com')).toEqual(
      normalizeIdentifier('EMAIL', 'RAW', 'janedoe@gmail.com'),
    );
  });
});

describe('the plain-email fast path', () => {
  // Whatever the fast path accepts, isEmail must accept too (it is only a shortcut).
  it('agrees with isEmail on a generated corpus', () => {
    const locals = [
      'a',
      'jane.doe',
      'x+tag',
      "o'brien",
      'a..b',
      '.a',
      'a.',
      'a_b-c',
      'é',
      'a'.repeat(64),
      'a'.repeat(65),
      '"quoted"',
    ];
    const domains = [
      'example.com',
      'ex-ample.co.uk',
      '-bad.com',
      'bad-.com',
      'a.b',
      'sub.example.museum',
      'x'.repeat(63) + '.com',
      'x'.repeat(64) + '.com',
      '123.com',
      'example.c0m',
      'localhost',
    ];
    for (const local of locals) {
      for (const domain of domains) {
        const address = `${local}@${domain}`;
        expect([address, normalizeEmail(address).ok]).toEqual([address, isEmail(address)]);
      }
    }
  });
});
