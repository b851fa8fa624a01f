import { looksLikeIdentifier, mask, maskPreviewRow } from './preview-mask';

describe('looksLikeIdentifier', () => {
  it.each([
    'jane@example.com',
    'Contact: jane.doe+promo@mail.example.org (work)',
    'user@localhost',
    '+33 6 12 34 56 78',
    '(415) 555-2671',
    '0612345678',
    '4111 1111 1111 1111',
    '192.168.10.24',
    '38400000-8cf0-11bd-b23e-10b96e40000d',
    '384000008CF011BDB23E10B96E40000D',
    'c8fdbd0a1e6c1b1e6f1a2c8b2e0f4d1f0d1c2b3a4e5f60718293a4b5c6d7e8f9',
    'q1w2e3r4t5y6u7i8o9p0AbCdEfGhIjKlMn==',
  ])('%s: yes', (value) => {
    expect(looksLikeIdentifier(value)).toBe(true);
  });

  it.each([
    'FR',
    'Gold plan',
    '125000',
    '19.99',
    '2026-11-25',
    '2026-11-25T09:30:00.000Z',
    '2026-11-25 09:30:00+01:00',
    'from 2026-11-25 to 2026-12-24',
    '@acme on social media',
    'supercalifragilisticexpialidocious-and-more-words',
    '',
  ])('%s: no', (value) => {
    expect(looksLikeIdentifier(value)).toBe(false);
  });

  // A pattern that backtracks would not finish these in hours; linear scanning takes well under a second
  // (more under coverage on a loaded machine), so the test's own time limit is the guard, not a stopwatch.
  it('answers for cells of megabytes (no backtracking blow-up)', () => {
    expect(looksLikeIdentifier('z'.repeat(4_000_000))).toBe(false);
    expect(looksLikeIdentifier('1-'.repeat(2_000_000))).toBe(true);
    expect(looksLikeIdentifier('1  '.repeat(1_000_000))).toBe(false);
  }, 30_000);
});

describe('maskPreviewRow', () => {
  it('masks every key column, and identifier-like values of the other columns, the same way', () => {
    const row = {
      email: 'jane@example.com',
      phone: '+33612340001',
      secondary_email: 'jane.doe@work.example',
      note: 'call +33 6 12 34 00 02',
      country: 'FR',
      plan: 'Gold',
      signed_up: '2026-11-25T09:30:00.000Z',
      empty: null,
    };
    expect(maskPreviewRow(row, new Set(['email']))).toEqual({
      email: '************.com',
      phone: '********0001',
      secondary_email: `${'*'.repeat('jane.doe@work.example'.length - 4)}mple`,
      note: `${'*'.repeat('call +33 6 12 34 00 02'.length - 4)}0 02`,
      country: 'FR',
      plan: 'Gold',
      signed_up: '2026-11-25T09:30:00.000Z',
      empty: null,
    });
  });

  it('masks a short key value whole, and leaves a key column null as null', () => {
    expect(maskPreviewRow({ code: 'AB1', email: null }, new Set(['code', 'email']))).toEqual({
      code: '***',
      email: null,
    });
    expect(mask('abcd')).toBe('****');
    expect(mask('abcde')).toBe('*bcde');
  });
});
