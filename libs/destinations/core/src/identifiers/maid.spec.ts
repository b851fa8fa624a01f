import type { RejectionReason } from './identifier-types';
import { normalizeMaid } from './maid';

const EXAMPLE = '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25';

describe('normalizeMaid', () => {
  it.each<[string, string]>([
    [EXAMPLE, EXAMPLE],
    ['5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25', EXAMPLE], // IDFAs are usually upper case
    ['5f3a2b189c4d4e7fb8e217d3a1e69b25', EXAMPLE], // no dashes: re-dashed
    ['5F3A2B189C4D4E7FB8E217D3A1E69B25', EXAMPLE],
    [` \t${EXAMPLE}\r\n`, EXAMPLE],
    ['38400000-8cf0-11bd-b23e-10b96e40000d', '38400000-8cf0-11bd-b23e-10b96e40000d'], // Google's AAID example (v1)
  ])('normalizes %p to %p', (raw, expected) => {
    expect(normalizeMaid(raw)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, RejectionReason]>([
    ['', 'EMPTY'],
    [' \t\n', 'EMPTY'],
    ['00000000-0000-0000-0000-000000000000', 'MALFORMED'], // limit ad tracking: no id
    ['00000000000000000000000000000000', 'MALFORMED'],
    [EXAMPLE.slice(1), 'MALFORMED'], // 35 characters
    [`${EXAMPLE}0`, 'MALFORMED'], // 37 characters
    ['5f3a2b189c4d4e7fb8e217d3a1e69b2', 'MALFORMED'], // 31 hex digits
    ['5f3a2b189c4d4e7fb8e217d3a1e69b250', 'MALFORMED'], // 33 hex digits
    [`z${EXAMPLE.slice(1)}`, 'MALFORMED'], // not hex
    ['5f3a2b189-c4d-4e7f-b8e2-17d3a1e69b25', 'MALFORMED'], // dashes misplaced
    [`{${EXAMPLE}}`, 'MALFORMED'], // braced GUID form
    ['5f3a2b18 9c4d 4e7f b8e2 17d3a1e69b25', 'MALFORMED'],
    ['not-a-uuid', 'MALFORMED'],
  ])('rejects %p as %s', (raw, reason) => {
    expect(normalizeMaid(raw)).toEqual({ ok: false, reason });
  });
});
