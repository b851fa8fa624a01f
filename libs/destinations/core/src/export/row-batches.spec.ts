import { rowBatchesOf } from './row-batches';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('rowBatchesOf', () => {
  const rows = Array.from({ length: 10_000 }, (_, n) => ({ email: `m${n}@example.com` }));
  async function* each() {
    yield* rows;
  }

  it('takes the store’s own batches when the request has them', async () => {
    const own = [[rows[0]], [rows[1], rows[2]]] as { email: string }[][];
    async function* batches() {
      yield* own;
    }
    expect(await collect(rowBatchesOf({ rows: each, rowBatches: batches }))).toEqual(own);
  });

  it('groups rows() in order otherwise, the last batch holding the rest', async () => {
    const batches = await collect(rowBatchesOf({ rows: each }));
    expect(batches.flat()).toEqual(rows);
    expect(batches.map((batch) => batch.length)).toEqual([4096, 4096, 1808]);
    async function* none() {
      yield* [];
    }
    expect(await collect(rowBatchesOf({ rows: none }))).toEqual([]);
  });
});
