import type { DestinationProvider, KeyMapping } from '@conduit/destinations-core';
import { DomainException, ErrorCode, type FieldProblem } from '../common/domain.exception';
import { checkMapping, MAX_MAPPED_COLUMNS } from './export.service';

// The mapping's checks before an export is queued, against what a provider declares of its keys
// (`checkMapping` reads only the provider's name and key support).

/** What `checkMapping` reads of a provider: its name and the keys it takes. */
type KeySupport = Pick<DestinationProvider, 'displayName' | 'keys'>;

/** A provider's key declaration as Meta's reads (MAID received unhashed), or TikTok's (every key hashed). */
const META_LIKE: KeySupport = {
  displayName: 'Meta Ads',
  keys: { types: ['EMAIL', 'PHONE', 'MAID'], encodings: ['RAW', 'SHA256'], plainTypes: ['MAID'], minKeys: 1 },
};
const HASHES_ALL: KeySupport = {
  displayName: 'TikTok Ads',
  keys: { types: ['EMAIL', 'PHONE', 'MAID'], encodings: ['RAW', 'SHA256'], minKeys: 1 },
};
const COLUMNS = ['email', 'phone', 'device', 'device_sha256'];

/** The problems `checkMapping` refuses the mapping with (it must refuse it). */
function problemsOf(
  provider: typeof META_LIKE | typeof HASHES_ALL,
  mapping: readonly KeyMapping[],
): FieldProblem[] {
  try {
    checkMapping(provider, mapping, COLUMNS);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainException);
    expect((error as DomainException).code).toBe(ErrorCode.VALIDATION_FAILED);
    return [...((error as DomainException).details ?? [])];
  }
  throw new Error('the mapping was accepted');
}

describe('checkMapping', () => {
  it('refuses a SHA256 column mapped to a key type the provider receives unhashed, naming the entry', () => {
    const mapping: KeyMapping[] = [
      { column: 'email', keyType: 'EMAIL', encoding: 'SHA256' },
      { column: 'device_sha256', keyType: 'MAID', encoding: 'SHA256' },
    ];
    expect(problemsOf(META_LIKE, mapping)).toEqual([
      {
        field: 'mapping[1].encoding',
        rule: 'rawOnly',
        message: 'Meta Ads takes MAID as raw values only (it never receives them hashed)',
      },
    ]);
    expect(() => checkMapping(META_LIKE, mapping, COLUMNS)).toThrow(
      'The column mapping is invalid: mapping[1].encoding Meta Ads takes MAID as raw values only (it never receives them hashed).',
    );
  });

  it('accepts a RAW column for that key type, and SHA256 for the others or for a provider hashing them all', () => {
    const mapping: KeyMapping[] = [
      { column: 'email', keyType: 'EMAIL', encoding: 'SHA256' },
      { column: 'phone', keyType: 'PHONE', encoding: 'SHA256' },
      { column: 'device', keyType: 'MAID', encoding: 'RAW' },
    ];
    expect(checkMapping(META_LIKE, mapping, COLUMNS)).toEqual(mapping);
    const hashedMaid: KeyMapping[] = [{ column: 'device_sha256', keyType: 'MAID', encoding: 'SHA256' }];
    expect(checkMapping(HASHES_ALL, hashedMaid, COLUMNS)).toEqual(hashedMaid);
  });

  it('says once that an encoding is not taken at all, not also that the key type needs raw values', () => {
    const rawOnly: KeySupport = { ...META_LIKE, keys: { ...META_LIKE.keys, encodings: ['RAW'] } };
    expect(problemsOf(rawOnly, [{ column: 'device', keyType: 'MAID', encoding: 'SHA256' }])).toEqual([
      { field: 'mapping[0].encoding', rule: 'isIn', message: 'Meta Ads takes RAW' },
    ]);
  });

  it('names every other problem of every entry at once', () => {
    const picky: KeySupport = { ...META_LIKE, keys: { ...META_LIKE.keys, types: ['EMAIL', 'MAID'] } };
    expect(problemsOf(picky, [])).toEqual([
      {
        field: 'mapping',
        rule: 'minItems',
        message: 'map at least 1 segment column to a key type (EMAIL, MAID)',
      },
    ]);
    const mapping = [
      { column: 'emial', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'emial', keyType: 'PHONE', encoding: 'RAW' },
    ] as const;
    expect(problemsOf(picky, mapping)).toEqual([
      {
        field: 'mapping[0].column',
        rule: 'column',
        message: '"emial" is not a column of the segment; its columns: email, phone, device, device_sha256',
      },
      expect.objectContaining({ field: 'mapping[1].column', rule: 'column' }),
      { field: 'mapping[1].column', rule: 'unique', message: '"emial" is mapped twice' },
      { field: 'mapping[1].keyType', rule: 'isIn', message: 'Meta Ads takes EMAIL, MAID' },
    ]);
    const tooMany = Array.from({ length: MAX_MAPPED_COLUMNS + 1 }, () => mapping[0]);
    expect(problemsOf(picky, tooMany)).toContainEqual({
      field: 'mapping',
      rule: 'maxItems',
      message: `map at most ${MAX_MAPPED_COLUMNS} columns`,
    });
  });

  it('answers the entries alone, without what else the request carried', () => {
    const sent = { column: 'email', keyType: 'EMAIL', encoding: 'RAW', note: 'x' } as const;
    expect(checkMapping(META_LIKE, [sent], COLUMNS)).toStrictEqual([
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
    ]);
  });
});
