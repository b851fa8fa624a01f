import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSegmentRowStore, type SegmentRow } from './row-store';

jest.setTimeout(60_000);

describe('LocalSegmentRowStore', () => {
  let root: string;
  let store: LocalSegmentRowStore;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rows-'));
    store = new LocalSegmentRowStore(root, { rowsPerChunk: 1000 });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const rows = (count: number, tag = 'a'): SegmentRow[] =>
    Array.from({ length: count }, (_, i) => ({ email: `${tag}${i}@example.com`, note: i % 7 ? null : 'x' }));

  async function write(id: string, data: SegmentRow[]) {
    const writer = await store.openWriter(id);
    for (const row of data) await writer.write(row);
    return writer.commit();
  }

  async function readAll(id: string): Promise<SegmentRow[]> {
    const out: SegmentRow[] = [];
    for await (const row of store.read(id)) out.push(row);
    return out;
  }

  it('round-trips rows over several gzip chunks, in order', async () => {
    const data = rows(2500);
    const summary = await write('seg_1-g1', data);
    expect(summary).toMatchObject({ rows: 2500, chunks: 3 });
    expect(summary.bytes).toBeGreaterThan(0);
    expect(await readAll('seg_1-g1')).toEqual(data);
    expect(await store.exists('seg_1-g1')).toBe(true);
  });

  it('commits an empty dataset', async () => {
    expect(await write('seg_empty', [])).toEqual({ rows: 0, chunks: 0, bytes: 0 });
    expect(await readAll('seg_empty')).toEqual([]);
  });

  it('makes nothing readable before commit, and leaves nothing after abort', async () => {
    const writer = await store.openWriter('seg_2');
    for (const row of rows(1500)) await writer.write(row);
    expect(await store.exists('seg_2')).toBe(false);
    await writer.abort();
    expect(await store.exists('seg_2')).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    await expect(writer.write({ email: 'late' })).rejects.toThrow('closed');
  });

  it('replaces a dataset with the same id atomically', async () => {
    await write('seg_3', rows(10, 'old'));
    await write('seg_3', rows(5, 'new'));
    expect((await readAll('seg_3')).map((row) => row['email'])).toEqual(
      rows(5, 'new').map((row) => row['email']),
    );
    expect(readdirSync(root)).toEqual(['seg_3']);
  });

  it('removes datasets, sweeps what a crashed writer left, refuses unsafe ids', async () => {
    await write('seg_4', rows(3));
    await store.remove('seg_4');
    expect(await store.exists('seg_4')).toBe(false);
    await expect(readAll('seg_4')).rejects.toThrow('Dataset seg_4 does not exist');
    const crashed = await store.openWriter('seg_5');
    await crashed.write({ email: 'x' });
    expect(await store.sweep()).toBe(1);
    expect(readdirSync(root)).toEqual([]);
    for (const bad of ['../etc', 'a/b', '', 'x'.repeat(81)]) {
      await expect(store.openWriter(bad)).rejects.toThrow('Invalid dataset id');
    }
  });
});
