import { createHash } from 'node:crypto';
import {
  IdentifierHasher,
  KeyedRows,
  type ExportCounts,
  type KeyMapping,
  type SegmentRow,
} from '@conduit/destinations-core';
import { MetaBatchBuilder } from './meta-batch';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const hasher = new IdentifierHasher({ threads: 0 });

/** Takes `rows` through the shared KeyedRows, filling builders of `maxRows` as the export does. */
async function build(rows: SegmentRow[], mapping: KeyMapping[], maxRows: number): Promise<unknown[][][]> {
  const counts: ExportCounts = { read: 0, valid: 0, invalid: {}, duplicates: 0, uploaded: 0 };
  const normalize = { phoneHashIncludesPlus: false, plainKeyTypes: ['MAID'] as const };
  const keyed = new KeyedRows({ mapping, normalize, counts, hasher, destination: 'Meta Ads' });
  const plain = mapping.map((entry) => entry.keyType === 'MAID');
  const batch = await keyed.hash(rows);
  const batches: unknown[][][] = [];
  let builder: MetaBatchBuilder | undefined;
  for (let index = 0; index < batch.count; index++) {
    if (keyed.take(batch, index) === 0) continue;
    if (builder && !builder.fits(keyed)) {
      batches.push(JSON.parse((await builder.close()).data.toString()) as unknown[][]);
      builder = undefined;
    }
    builder ??= new MetaBatchBuilder(maxRows, plain, keyed.types.length);
    builder.add(keyed, batch);
  }
  if (builder) batches.push(JSON.parse((await builder.close()).data.toString()) as unknown[][]);
  return batches;
}

describe('MetaBatchBuilder', () => {
  it('writes one row per line: hashed cells as lowercase hex, MADIDs as they are, "" for an empty cell', async () => {
    const batches = await build(
      [
        {
          email: 'Mary@Example.com',
          phone: '+1 (415) 555-2671',
          maid: '6D92078A-8246-4BA4-AE5B-76104861E7DC',
        },
        { email: 'only@example.com', phone: null, maid: null },
      ],
      [
        { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
        { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
        { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
      ],
      10,
    );
    expect(batches).toEqual([
      [
        [
          'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79',
          // The digits with the country code, no + (Meta's rule).
          sha256('14155552671'),
          '6d92078a-8246-4ba4-ae5b-76104861e7dc',
        ],
        [sha256('only@example.com'), '', ''],
      ],
    ]);
  });

  it('gives a row mapping two columns of one key type two lines, the second with empty cells', async () => {
    const batches = await build(
      [{ home: 'a@example.com', work: 'b@example.com', phone: '+14155552671' }],
      [
        { column: 'home', keyType: 'EMAIL', encoding: 'RAW' },
        { column: 'work', keyType: 'EMAIL', encoding: 'RAW' },
        { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
      ],
      10,
    );
    expect(batches).toEqual([
      [
        [sha256('a@example.com'), sha256('14155552671')],
        [sha256('b@example.com'), ''],
      ],
    ]);
  });

  it('ends a batch at maxRows, at a row boundary', async () => {
    const rows = Array.from({ length: 5 }, (_, index) => ({ email: `u${index}@example.com` }));
    const batches = await build(rows, [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }], 2);
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches.flat().flat()).toEqual(rows.map((row) => sha256(row.email)));
  });

  it('grows past its first size when plain values are longer than a digest', async () => {
    const builder = new MetaBatchBuilder(1, [true], 1);
    const long = 'x'.repeat(500);
    const fake = {
      types: ['MAID'],
      lines: 1,
      index: 0,
      offset: 0,
      entryAt: () => 0,
    } as unknown as KeyedRows;
    builder.add(fake, {
      count: 1,
      columns: [{ plain: () => long }],
      rejectedValue: () => undefined,
    } as never);
    const closed = await builder.close();
    expect(JSON.parse(closed.data.toString())).toEqual([[long]]);
    expect(closed.rows).toBe(1);
  });
});
