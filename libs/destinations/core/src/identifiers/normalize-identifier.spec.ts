import { createHash } from 'node:crypto';
import {
  KEY_ENCODINGS,
  KEY_TYPES,
  REJECTION_REASONS,
  type KeyEncoding,
  type KeyType,
  type NormalizeOptions,
  type RejectionReason,
} from './identifier-types';
import { normalizeIdentifier } from './normalize-identifier';
import { sha256Hex } from './sha256-hex';

// Independent of sha256Hex, so that a broken sha256Hex cannot agree with itself.
const sha = (value: string) => createHash('sha256').update(value).digest('hex');

const EMAIL_HASH = 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69';
const MAID_HASH = '83dc3f5f32b9472613b0f038d36f22585a609d018af6f6067f50da318bf354bd';

describe('reference vectors (TikTok reference)', () => {
  it.each<[KeyType, unknown, string]>([
    ['EMAIL', 'janedoe@gmail.com', EMAIL_HASH],
    ['EMAIL', ' JaneDoe@Gmail.com\t', EMAIL_HASH],
    ['MAID', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25', MAID_HASH],
    ['MAID', ' 5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25\n', MAID_HASH],
    ['MAID', '5f3a2b189c4d4e7fb8e217d3a1e69b25', MAID_HASH],
  ])('%s %p → %s', (type, input, hash) => {
    expect(normalizeIdentifier(type, 'RAW', input)).toEqual({ ok: true, hash });
  });
});

describe('sha256Hex', () => {
  it.each<[string, string]>([
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'], // FIPS 180-2
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['jörg@example.com', sha('jörg@example.com')], // UTF-8 bytes
  ])('%p → %s', (value, hash) => {
    expect(sha256Hex(value)).toBe(hash);
  });
});

describe('normalizeIdentifier: phones', () => {
  it.each<[unknown, NormalizeOptions | undefined, string]>([
    ['+1 (415) 555-2671', undefined, '+14155552671'],
    ['+1 (415) 555-2671', { phoneHashIncludesPlus: true }, '+14155552671'],
    ['+1 (415) 555-2671', { phoneHashIncludesPlus: false }, '14155552671'],
    ['001 415 555 2671', {}, '+14155552671'],
    ['(415) 555-2671', { defaultPhoneRegion: 'US' }, '+14155552671'],
    ['020 7946 0958', { defaultPhoneRegion: 'GB', phoneHashIncludesPlus: false }, '442079460958'],
    [14155552671, {}, '+14155552671'], // numeric cells
    [BigInt('442079460958'), {}, '+442079460958'],
  ])('%p (%j) hashes %p', (input, options, normalized) => {
    expect(normalizeIdentifier('PHONE', 'RAW', input, options)).toEqual({ ok: true, hash: sha(normalized) });
  });

  it.each<[KeyType, string, string]>([
    ['EMAIL', 'janedoe@gmail.com', EMAIL_HASH],
    ['MAID', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25', MAID_HASH],
  ])('leaves %s values whole when phones are hashed without the +', (type, input, hash) => {
    expect(normalizeIdentifier(type, 'RAW', input, { phoneHashIncludesPlus: false })).toEqual({
      ok: true,
      hash,
    });
  });

  it('gives differently written forms of one number one hash', () => {
    const forms = ['+1 415 555 2671', '001-415-555-2671', '14155552671', 14155552671, '+1.415.555.2671'];
    const hashes = new Set(forms.map((form) => JSON.stringify(normalizeIdentifier('PHONE', 'RAW', form))));
    expect([...hashes]).toEqual([JSON.stringify({ ok: true, hash: sha('+14155552671') })]);
  });
});

describe('normalizeIdentifier: pre-hashed values (SHA256)', () => {
  it.each<[string, string, string]>([
    ['lowercase', EMAIL_HASH, EMAIL_HASH],
    ['uppercase hex', EMAIL_HASH.toUpperCase(), EMAIL_HASH],
    ['mixed case', `${EMAIL_HASH.slice(0, 32).toUpperCase()}${EMAIL_HASH.slice(32)}`, EMAIL_HASH],
    ['surrounding whitespace', ` \t${MAID_HASH}\r\n`, MAID_HASH],
  ])('passes through %s, whatever the key type', (_label, input, expected) => {
    for (const type of KEY_TYPES)
      expect(normalizeIdentifier(type, 'SHA256', input)).toEqual({ ok: true, hash: expected });
  });

  it.each<[string, unknown]>([
    ['a raw email', 'janedoe@gmail.com'],
    ['a raw phone', '+14155552671'],
    ['a raw MAID', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25'],
    ['a number', 14155552671],
    ['63 hex characters', EMAIL_HASH.slice(1)],
    ['65 hex characters', `${EMAIL_HASH}0`],
    ['64 characters, one not hex', `${EMAIL_HASH.slice(1)}g`],
    ['64 hex characters with a space inside', `${EMAIL_HASH.slice(0, 32)} ${EMAIL_HASH.slice(33)}`],
    ['an MD5 (32 hex)', '0123456789abcdef0123456789abcdef'],
    ['a SHA-1 (40 hex)', '0123456789abcdef0123456789abcdef01234567'],
    ['a 0x-prefixed digest', `0x${EMAIL_HASH.slice(2)}`],
  ])('rejects %s as NOT_HASHED', (_label, input) => {
    for (const type of KEY_TYPES)
      expect(normalizeIdentifier(type, 'SHA256', input)).toEqual({ ok: false, reason: 'NOT_HASHED' });
  });
});

describe('normalizeIdentifier: digests declared RAW', () => {
  it.each<[string, string]>([
    ['lowercase', EMAIL_HASH],
    ['uppercase', EMAIL_HASH.toUpperCase()],
    ['padded', `  ${MAID_HASH}\n`],
  ])('rejects a %s digest as LOOKS_HASHED, whatever the key type', (_label, input) => {
    for (const type of KEY_TYPES)
      expect(normalizeIdentifier(type, 'RAW', input)).toEqual({ ok: false, reason: 'LOOKS_HASHED' });
  });
});

describe('normalizeIdentifier: cell shapes', () => {
  it.each<[string, KeyEncoding, unknown, RejectionReason]>([
    ['null', 'RAW', null, 'EMPTY'],
    ['undefined', 'RAW', undefined, 'EMPTY'],
    ['an empty string', 'RAW', '', 'EMPTY'],
    ['whitespace', 'RAW', ' \t\r\n ', 'EMPTY'],
    ['null, pre-hashed', 'SHA256', null, 'EMPTY'],
    ['whitespace, pre-hashed', 'SHA256', '  ', 'EMPTY'],
    ['an array', 'RAW', ['a@example.com', 'b@example.com'], 'MULTI_VALUE'],
    ['a one-element array', 'RAW', ['a@example.com'], 'MULTI_VALUE'],
    ['an empty array', 'RAW', [], 'MULTI_VALUE'],
    ['an array, pre-hashed', 'SHA256', [EMAIL_HASH], 'MULTI_VALUE'],
    ['an object', 'RAW', { email: 'a@example.com' }, 'MALFORMED'],
    ['a boolean', 'RAW', true, 'MALFORMED'],
    ['a Date', 'RAW', new Date(0), 'MALFORMED'],
    ['a Buffer', 'RAW', Buffer.from('a@example.com'), 'MALFORMED'],
    ['an object, pre-hashed', 'SHA256', { hash: EMAIL_HASH }, 'MALFORMED'],
  ])('rejects %s (%s) as %s', (_label, encoding, input, reason) => {
    for (const type of KEY_TYPES)
      expect(normalizeIdentifier(type, encoding, input)).toEqual({ ok: false, reason });
  });

  it.each([null, undefined, ''])('rejects %p as EMPTY in every key type and encoding', (input) => {
    for (const type of KEY_TYPES)
      for (const encoding of KEY_ENCODINGS)
        expect(normalizeIdentifier(type, encoding, input)).toEqual({ ok: false, reason: 'EMPTY' });
  });

  it.each<[KeyType, unknown, RejectionReason]>([
    ['EMAIL', 42, 'MALFORMED'], // numbers go through String(), then the key type's rules
    ['MAID', 42, 'MALFORMED'],
    ['PHONE', Number.NaN, 'MALFORMED'],
    ['PHONE', 1e21, 'MALFORMED'], // String() gives "1e+21"
  ])('%s %p → %s', (type, input, reason) => {
    expect(normalizeIdentifier(type, 'RAW', input)).toEqual({ ok: false, reason });
  });
});

describe('normalizeIdentifier: every rejection reason', () => {
  // A Record, so that a reason added to REJECTION_REASONS fails to compile until it has an example.
  const examples: Record<RejectionReason, [KeyType, KeyEncoding, unknown]> = {
    EMPTY: ['EMAIL', 'RAW', ' '],
    MALFORMED: ['EMAIL', 'RAW', 'no-at-sign'],
    TOO_LONG: ['PHONE', 'RAW', '+1234567890123456'],
    NOT_HASHED: ['EMAIL', 'SHA256', 'janedoe@gmail.com'],
    LOOKS_HASHED: ['EMAIL', 'RAW', EMAIL_HASH],
    MULTI_VALUE: ['PHONE', 'RAW', ['+14155552671', '+442079460958']],
  };

  it.each(REJECTION_REASONS.map((reason) => [reason, ...examples[reason]] as const))(
    '%s: %s / %s %p',
    (reason, type, encoding, input) => {
      expect(normalizeIdentifier(type, encoding, input)).toEqual({ ok: false, reason });
    },
  );

  it.each<[KeyType, string]>([
    ['EMAIL', `${'a'.repeat(250)}@example.com`],
    ['PHONE', '00123456789012345678'],
  ])('TOO_LONG for %s %p', (type, input) => {
    expect(normalizeIdentifier(type, 'RAW', input)).toEqual({ ok: false, reason: 'TOO_LONG' });
  });

  it('returns frozen rejections (they are shared between calls)', () => {
    const result = normalizeIdentifier('MAID', 'RAW', 'not-a-uuid');
    expect(Object.isFrozen(result)).toBe(true);
  });
});
