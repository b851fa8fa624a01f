import isEmail from 'validator/lib/isEmail';
import { normalizeEmail } from './email';
import type { RejectionReason } from './identifier-types';

// The real isEmail, counted: the fast path is there so that everyday addresses never reach it.
jest.mock('validator/lib/isEmail', () => ({
  __esModule: true,
  default: jest.fn(jest.requireActual<{ default: typeof isEmail }>('validator/lib/isEmail').default),
}));
const isEmailCalls = jest.mocked(isEmail);

// 254 characters exactly: a 64-character local part and a 189-character domain of legal labels.
const LONGEST_DOMAIN = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
const LONGEST = `${'a'.repeat(64)}@${LONGEST_DOMAIN}`;

describe('normalizeEmail', () => {
  it.each<[string, string]>([
    ['janedoe@gmail.com', 'janedoe@gmail.com'],
    ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['\tjohn+ads@example.co.uk\n', 'john+ads@example.co.uk'], // +tags kept
    ['J.Doe@GMail.com', 'j.doe@gmail.com'], // no gmail dot stripping
    ["o'brien@example.ie", "o'brien@example.ie"],
    // isEmail (default allow_utf8_local_part) accepts Unicode local parts; lowercasing follows Unicode.
    ['JÖRG@example.com', 'jörg@example.com'],
    ['Δοκιμή@Παράδειγμα.Δοκιμή', 'δοκιμή@παράδειγμα.δοκιμή'],
    // Unicode domains are accepted and hashed as written, not converted to punycode (xn--…).
    ['user@BÜCHER.example', 'user@bücher.example'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
    ['"john doe"@example.com', '"john doe"@example.com'], // quoted local parts are RFC-valid
    [LONGEST, LONGEST],
  ])('normalizes %p to %p', (raw, expected) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, RejectionReason]>([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['\t\r\n', 'EMPTY'],
    ['jane.doe', 'MALFORMED'],
    ['jane@', 'MALFORMED'],
    ['@example.com', 'MALFORMED'],
    ['jane doe@example.com', 'MALFORMED'],
    ['jane@@example.com', 'MALFORMED'],
    ['jane..doe@example.com', 'MALFORMED'],
    ['.jane@example.com', 'MALFORMED'],
    ['jane@-example.com', 'MALFORMED'],
    ['jane@example.com.', 'MALFORMED'], // trailing dot
    ['jane@localhost', 'MALFORMED'], // a TLD is required
    ['jane@[192.168.0.1]', 'MALFORMED'], // IP literals are not accepted
    ['jane@example', 'MALFORMED'],
    ['Jane Doe <jane@example.com>', 'MALFORMED'], // display names are not accepted
    [`${'a'.repeat(65)}@example.com`, 'MALFORMED'], // local part over 64: isEmail's rule, so MALFORMED
    [`a${LONGEST}`, 'TOO_LONG'], // 255 characters
    [`${'a'.repeat(250)}@example.com`, 'TOO_LONG'],
  ])('rejects %p as %s', (raw, reason) => {
    expect(normalizeEmail(raw)).toEqual({ ok: false, reason });
  });

  it('does not fold Unicode normalization forms (NFD and NFC spellings hash differently)', () => {
    const nfd = 'jo\u0308rg@example.com'; // o + combining diaeresis
    expect(normalizeEmail(nfd)).toEqual({ ok: true, value: nfd });
    expect(normalizeEmail(nfd)).not.toEqual(normalizeEmail('jörg@example.com'));
  });
});

describe('the plain-email fast path', () => {
  // One address per part of the fast path's pattern, each at the edge that part allows.
  it.each([
    'janedoe@gmail.com', // a one-atom local part
    'jane.doe.smith@example.com', // several dot-atoms
    'x.y@a.io', // one-character atoms and label
    "o'brien+ads_1@example-mail.ie", // atext specials, a hyphen inside a label
    'john@mail.example.co.uk', // several labels
    `${'a'.repeat(64)}@example.com`, // the longest local part
    `a@${'b'.repeat(63)}.com`, // the longest label
  ])('decides %p without isEmail', (address) => {
    isEmailCalls.mockClear();
    expect(normalizeEmail(address)).toEqual({ ok: true, value: address });
    expect(isEmailCalls).not.toHaveBeenCalled();
  });

  it('leaves a longer local part to isEmail', () => {
    isEmailCalls.mockClear();
    expect(normalizeEmail(`${'a'.repeat(65)}@example.com`)).toEqual({ ok: false, reason: 'MALFORMED' });
    expect(isEmailCalls).toHaveBeenCalledTimes(1);
  });

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
      '{}|~^`=?/*&%$#!',
      'é',
      'a'.repeat(64),
      'a'.repeat(65),
      '"quoted"',
      '..',
      'a..',
      '()',
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
      'example.123',
      'ex_ample.com',
      'a_b.com',
      'a..com',
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
