import { createHash } from 'node:crypto';
import { DIGEST_BYTES, HashedIdentifiers, hashIdentifiers, keepsPlainText } from './hash-identifiers';
import type { KeyType } from './identifier-types';
import { prepareIdentifier } from './normalize-identifier';

// Plain columns (NormalizeOptions.plainKeyTypes): the key types a provider receives as normalized
// text (Meta: MADID), kept beside their digests in the batch's one buffer.

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const digestOf = (result: HashedIdentifiers, index: number) =>
  result.digests.subarray(index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES).toString('hex');

const MAIDS: unknown[] = [
  '5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25 ', // upper case, a space: normalized
  'not a maid',
  '00000000-0000-0000-0000-000000000000', // limited ad tracking: nobody's id
  '5f3a2b189c4d4e7fb8e217d3a1e69b26', // no dashes: re-dashed
  null,
  ['5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b27'],
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // a digest in a RAW column
  '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b28',
];
const PLAIN_MAID = { plainKeyTypes: ['MAID'] } as const;

describe('hashIdentifiers: a plain column', () => {
  it('keeps each accepted value’s normalized text, whose SHA-256 is its digest', () => {
    const result = new HashedIdentifiers(
      MAIDS.length,
      hashIdentifiers({ keyType: 'MAID', encoding: 'RAW', options: PLAIN_MAID, values: MAIDS }),
    );
    expect(MAIDS.map((_, index) => result.plain(index))).toEqual([
      '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25',
      undefined,
      undefined,
      '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b26',
      undefined,
      undefined,
      undefined,
      '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b28',
    ]);
    // Undefined exactly for the rejected values; an accepted one's digest is the SHA-256 of its text.
    expect(MAIDS.map((_, index) => result.rejection(index))).toEqual(
      MAIDS.map((value) => prepareRejection('MAID', value)),
    );
    for (const index of [0, 3, 7])
      expect(digestOf(result, index)).toBe(sha256(result.plain(index) as string));
  });

  it('has the same status bytes and digests as the column hashed only, its texts after them', () => {
    const plain = hashIdentifiers({ keyType: 'MAID', encoding: 'RAW', options: PLAIN_MAID, values: MAIDS });
    const hashed = hashIdentifiers({ keyType: 'MAID', encoding: 'RAW', values: MAIDS });
    expect(hashed.byteLength).toBe(MAIDS.length * 33);
    expect(Buffer.from(plain.subarray(0, hashed.byteLength))).toEqual(Buffer.from(hashed));
    const result = new HashedIdentifiers(MAIDS.length, plain);
    expect(result.digests.byteLength).toBe(MAIDS.length * DIGEST_BYTES);
    expect(result.status.byteLength).toBe(MAIDS.length);
  });

  it('lays its texts out as offsets, then UTF-8 text, in a buffer of its own', () => {
    // Rejected, accepted, rejected, accepted: a rejected value's range is empty.
    const values = ['', 'A@B.CO', 'x', 'jörg@exämple.de'];
    const bytes = hashIdentifiers({
      keyType: 'EMAIL',
      encoding: 'RAW',
      options: { plainKeyTypes: ['EMAIL'] },
      values,
    });
    const texts = Buffer.from('a@b.cojörg@exämple.de', 'utf8');
    const offsets = Buffer.alloc(5 * 4);
    [0, 0, 6, 6, texts.byteLength].forEach((offset, index) => offsets.writeUInt32LE(offset, index * 4));
    const hashedOnly = hashIdentifiers({ keyType: 'EMAIL', encoding: 'RAW', values });
    expect(Buffer.from(bytes)).toEqual(Buffer.concat([Buffer.from(hashedOnly), offsets, texts]));
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    // Offsets count bytes, not characters: 'jörg@exämple.de' is 15 characters, 17 bytes.
    const result = new HashedIdentifiers(4, bytes);
    expect([result.plain(1), result.plain(3)]).toEqual(['a@b.co', 'jörg@exämple.de']);
    expect(digestOf(result, 3)).toBe(sha256('jörg@exämple.de'));
  });

  it('keeps nothing more for a column whose key type is not plain, and nothing for its values', () => {
    for (const options of [undefined, {}, { plainKeyTypes: [] }, { plainKeyTypes: ['MAID'] as KeyType[] }]) {
      const values = ['a@b.co', 'c@d.co', 'not an email'];
      const bytes = hashIdentifiers({ keyType: 'EMAIL', encoding: 'RAW', options, values });
      expect(bytes.byteLength).toBe(3 * 33);
      const result = new HashedIdentifiers(3, bytes);
      expect([result.plain(0), result.plain(1), result.plain(2)]).toEqual([undefined, undefined, undefined]);
      expect(digestOf(result, 1)).toBe(sha256('c@d.co'));
    }
  });

  it('keeps an empty region for a batch with no value accepted, or no value at all', () => {
    const rejected = hashIdentifiers({
      keyType: 'MAID',
      encoding: 'RAW',
      options: PLAIN_MAID,
      values: ['x', null],
    });
    expect(rejected.byteLength).toBe(2 * 33 + 3 * 4);
    const result = new HashedIdentifiers(2, rejected);
    expect([result.plain(0), result.plain(1), result.rejection(1)]).toEqual([undefined, undefined, 'EMPTY']);
    const none = hashIdentifiers({ keyType: 'MAID', encoding: 'RAW', options: PLAIN_MAID, values: [] });
    expect(Buffer.from(none)).toEqual(Buffer.alloc(4));
    expect(new HashedIdentifiers(0, none).plain(0)).toBeUndefined();
  });

  it('is refused for a SHA256 column, naming the key type; other SHA256 columns still pass', () => {
    const digest = sha256('5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25');
    expect(() =>
      hashIdentifiers({ keyType: 'MAID', encoding: 'SHA256', options: PLAIN_MAID, values: [digest] }),
    ).toThrow(
      new RangeError(
        'A SHA256 column cannot hold MAID: MAID is sent as normalized text, never hashed (plainKeyTypes); map a RAW column to it.',
      ),
    );
    const email = new HashedIdentifiers(
      1,
      hashIdentifiers({ keyType: 'EMAIL', encoding: 'SHA256', options: PLAIN_MAID, values: [digest] }),
    );
    expect([digestOf(email, 0), email.plain(0)]).toEqual([digest, undefined]);
  });
});

describe('keepsPlainText', () => {
  it('answers whether the key type is plain, for a RAW column', () => {
    expect(keepsPlainText('MAID', 'RAW', PLAIN_MAID)).toBe(true);
    expect(keepsPlainText('EMAIL', 'RAW', PLAIN_MAID)).toBe(false);
    expect(keepsPlainText('MAID', 'SHA256', {})).toBe(false);
    expect(keepsPlainText('MAID', 'RAW')).toBe(false);
    expect(() => keepsPlainText('PHONE', 'SHA256', { plainKeyTypes: ['PHONE'] })).toThrow(
      /^A SHA256 column cannot hold PHONE: PHONE is sent as normalized text/,
    );
  });
});

describe('HashedIdentifiers: reading a plain column’s buffer', () => {
  const bytes = hashIdentifiers({ keyType: 'MAID', encoding: 'RAW', options: PLAIN_MAID, values: MAIDS });
  const textsAt = MAIDS.length * 33 + (MAIDS.length + 1) * 4;

  it('reads a view into a larger buffer as its own bytes only', () => {
    const padded = new Uint8Array(7 + bytes.byteLength + 5);
    padded.set(bytes, 7);
    const view = new HashedIdentifiers(MAIDS.length, padded.subarray(7, 7 + bytes.byteLength));
    expect(view.plain(7)).toBe('5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b28');
    expect(view.plain(0)).toBe('5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25');
  });

  it('refuses a buffer cut before the end of its offsets, or whose texts are not as long as its last offset says', () => {
    const refused = (size: number) =>
      new RangeError(
        `A batch of 8 with plain texts needs ${textsAt} bytes of status, digests and offsets, then as many bytes of text as its last offset says; got ${size} bytes.`,
      );
    expect(() => new HashedIdentifiers(MAIDS.length, bytes.subarray(0, textsAt - 1))).toThrow(
      refused(textsAt - 1),
    );
    expect(() => new HashedIdentifiers(MAIDS.length, bytes.subarray(0, bytes.byteLength - 1))).toThrow(
      refused(bytes.byteLength - 1),
    );
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    expect(() => new HashedIdentifiers(MAIDS.length, longer)).toThrow(refused(bytes.byteLength + 1));
    // Shorter than its digests: refused as any batch is.
    expect(() => new HashedIdentifiers(MAIDS.length, bytes.subarray(0, 8 * 33 - 1))).toThrow(
      new RangeError(`A batch of 8 needs ${8 * 33} bytes, got ${8 * 33 - 1}.`),
    );
  });
});

/** The reason normalizeIdentifier gives a value (what the batch's status byte says). */
function prepareRejection(keyType: KeyType, value: unknown): string | undefined {
  const prepared = prepareIdentifier(keyType, 'RAW', value);
  return prepared.ok ? undefined : prepared.reason;
}
