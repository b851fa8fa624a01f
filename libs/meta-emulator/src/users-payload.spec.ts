import { createHash } from 'node:crypto';
import { GraphApiError } from './graph-errors';
import { isValidValue, parsePayload } from './users-payload';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const MADID = '6d92078a-8246-4ba4-ae5b-76104861e7dc';

function errorOf(action: () => unknown): GraphApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof GraphApiError) return error;
    throw error;
  }
  throw new Error('expected a Graph error');
}

describe('parsePayload', () => {
  it('reads a multi-key payload into rows of the non-empty cells, in Meta’s key order', () => {
    const parsed = parsePayload(
      {
        schema: ['MADID', 'EMAIL', 'PHONE'],
        data: [
          [MADID, sha256('a@b.c'), ''],
          ['', '', sha256('15559876543')],
        ],
      },
      10_000,
    );
    expect(parsed).toEqual({
      family: 'MULTI_HASHES',
      schema: ['MADID', 'EMAIL', 'PHONE'],
      rows: [
        [
          ['EMAIL', sha256('a@b.c')],
          ['MADID', MADID],
        ],
        [['PHONE', sha256('15559876543')]],
      ],
      received: 2,
      invalid: 0,
      samples: {},
    });
  });

  it('reads single-key schemas as flat lists and as lists of one-element lists', () => {
    const flat = parsePayload({ schema: 'EMAIL_SHA256', data: [sha256('x')] }, 10);
    const nested = parsePayload({ schema: 'MOBILE_ADVERTISER_ID', data: [[MADID]] }, 10);
    expect(flat).toMatchObject({ family: 'HASHES_OR_USER_IDS', rows: [[['EMAIL', sha256('x')]]] });
    expect(nested).toMatchObject({ family: 'HASHES_OR_USER_IDS', rows: [[['MADID', MADID]]] });
  });

  it('counts a row with a wrongly encoded value as invalid, keeps a sample, and skips blank rows', () => {
    const parsed = parsePayload(
      {
        schema: ['EMAIL', 'MADID'],
        data: [
          ['plain@example.com', ''],
          ['', ''],
          [sha256('ok'), MADID],
        ],
      },
      10,
    );
    expect(parsed).toMatchObject({ received: 3, invalid: 1, samples: { 'plain@example.com': 'EMAIL' } });
    expect(parsed.rows).toHaveLength(1);
  });

  it('keeps at most 100 samples', () => {
    const data = Array.from({ length: 150 }, (_, index) => [`plain-${index}`]);
    const parsed = parsePayload({ schema: ['EMAIL'], data }, 1000);
    expect(parsed.invalid).toBe(150);
    expect(Object.keys(parsed.samples)).toHaveLength(100);
  });

  it('refuses shapes Meta refuses with code 100 and a message naming the problem', () => {
    expect(errorOf(() => parsePayload(undefined, 10)).code).toBe(100);
    expect(errorOf(() => parsePayload({ schema: ['EMAIL'], data: [['a'], ['b']] }, 1)).message).toContain(
      'at most 1 rows per request (got 2)',
    );
    expect(errorOf(() => parsePayload({ schema: ['EMAIL', 'NOPE'], data: [] }, 10)).message).toContain(
      'Invalid schema key: NOPE',
    );
    expect(errorOf(() => parsePayload({ schema: 'FN_SHA256', data: ['a'] }, 10)).message).toContain(
      'Invalid schema: FN_SHA256',
    );
    expect(errorOf(() => parsePayload({ schema: ['EMAIL'], data: [] }, 10)).message).toContain(
      'Invalid payload',
    );
    expect(errorOf(() => parsePayload({ schema: ['EMAIL'], data: [['x'.repeat(257)]] }, 10)).code).toBe(100);
    expect(
      errorOf(() => parsePayload({ schema: ['EMAIL', 'PHONE'], data: [['a', 'b', 'c']] }, 10)).code,
    ).toBe(100);
  });
});

describe('isValidValue (Meta’s encoding rules)', () => {
  it('wants lowercase SHA-256 hex for hashed keys', () => {
    expect(isValidValue('EMAIL', sha256('mary@example.com'))).toBe(true);
    expect(isValidValue('PHONE', sha256('15559876543'))).toBe(true);
    expect(isValidValue('PHONE', '15559876543')).toBe(false);
    expect(isValidValue('EMAIL', sha256('x').toUpperCase())).toBe(false);
  });

  it('wants MADIDs plain and lowercase, never hashed; takes EXTERN_ID as it is', () => {
    expect(isValidValue('MADID', MADID)).toBe(true);
    expect(isValidValue('MADID', MADID.toUpperCase())).toBe(false);
    expect(isValidValue('MADID', sha256(MADID))).toBe(false);
    expect(isValidValue('EXTERN_ID', 'customer-42')).toBe(true);
    expect(isValidValue('EXTERN_ID', ' ')).toBe(false);
  });
});
