import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RowTooLargeError } from './errors';
import { LocalSegmentRowStore, MAX_STORED_ROW_LENGTH, type SegmentRow } from './row-store';

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
    const manifest = JSON.parse(readFileSync(join(root, 'seg_1-g1', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      rows: 2500,
      chunks: 3,
      bytes: summary.bytes,
      columns: ['email', 'note'],
    });
    expect(Date.parse(manifest.createdAt)).not.toBeNaN();
    expect(await store.manifest('seg_1-g1')).toEqual(manifest);
  });

  it('reads the same rows in batches, each within one chunk, values with line breaks and quotes intact', async () => {
    const data = [...rows(2500), { email: 'a"b\nc@example.com', note: '[1,2]' }];
    await write('seg_batches', data);
    const batches: SegmentRow[][] = [];
    for await (const batch of store.readBatches('seg_batches')) batches.push(batch);
    expect(batches.flat()).toEqual(data);
    // Batches follow the chunks (1,000 rows each here): none spans two.
    expect(batches.length).toBeGreaterThanOrEqual(3);
    let row = 0;
    for (const batch of batches) {
      expect(Math.floor(row / 1000)).toBe(Math.floor((row + batch.length - 1) / 1000));
      row += batch.length;
    }
  });

  it('reads the same rows unparsed: NDJSON chunks of whole lines, each a buffer of its own', async () => {
    const data = [...rows(2500), { email: 'a"b\nc@example.com', note: 'é😀' }];
    await write('seg_ndjson', data);
    const chunks: Buffer[] = [];
    for await (const chunk of store.readNdjson('seg_ndjson')) chunks.push(chunk);
    for (const chunk of chunks) {
      expect(chunk.at(-1)).toBe(0x0a);
      expect(chunk.byteOffset).toBe(0);
    }
    const parsed = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SegmentRow);
    expect(parsed).toEqual(data);
  });

  it('writes into <id>.tmp-<random> until commit', async () => {
    const writer = await store.openWriter('seg_t');
    await writer.write({ email: 'x' });
    expect(readdirSync(root)).toEqual([expect.stringMatching(/^seg_t\.tmp-[0-9a-f]+$/)]);
    await writer.commit();
    expect(readdirSync(root)).toEqual(['seg_t']);
    await expect(writer.commit()).rejects.toThrow('closed');
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

  it('a reader of the replaced data fails clearly, never mixing old and new rows', async () => {
    await write('seg_6', rows(2500, 'old'));
    const seen: SegmentRow[] = [];
    const reading = (async () => {
      for await (const row of store.read('seg_6')) {
        seen.push(row);
        if (seen.length === 10) await write('seg_6', rows(2500, 'new'));
      }
    })();
    await expect(reading).rejects.toThrow('Dataset seg_6 was replaced or removed while it was being read.');
    // The chunk it had open is finished from the old data; nothing of the new data slipped in.
    expect(seen).toEqual(rows(2500, 'old').slice(0, seen.length));
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect((await readAll('seg_6')).map((row) => row['email'])).toEqual(
      rows(2500, 'new').map((row) => row['email']),
    );
  });

  it('removes datasets, sweeps what a crashed writer left, refuses unsafe ids', async () => {
    await write('seg_4', rows(3));
    await store.remove('seg_4');
    expect(await store.exists('seg_4')).toBe(false);
    await expect(readAll('seg_4')).rejects.toThrow('Dataset seg_4 does not exist');
    const crashed = await store.openWriter('seg_5');
    await crashed.write({ email: 'x' });
    expect(await store.sweep()).toEqual([expect.stringMatching(/^seg_5\.tmp-[0-9a-f]{12}$/)]);
    expect(readdirSync(root)).toEqual([]);
    await expect(crashed.commit()).rejects.toThrow();
    expect(readdirSync(root)).toEqual([]);
    for (const bad of ['../etc', 'a/b', '', '.', 'a.b', 'x'.repeat(81)]) {
      await expect(store.openWriter(bad)).rejects.toThrow('Invalid dataset id');
      await expect(readAll(bad)).rejects.toThrow('Invalid dataset id');
      await expect(store.remove(bad)).rejects.toThrow('Invalid dataset id');
      await expect(store.exists(bad)).rejects.toThrow('Invalid dataset id');
    }
    expect(() => new LocalSegmentRowStore(root, { rowsPerChunk: 0 })).toThrow('rowsPerChunk');
  });

  it('sweep with untouchedSince leaves a live writer alone and removes a silent one', async () => {
    const silent = await store.openWriter('seg_8');
    await silent.write({ email: 'a' });
    const cutoff = new Date(Date.now() + 60_000);
    const live = await store.openWriter('seg_9');
    await live.write({ email: 'b' });
    // The silent writer's folder and files were last written an hour ago; the live one's just now.
    const silentFolder = readdirSync(root).find((name) => name.startsWith('seg_8.tmp-')) as string;
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const name of [
      ...readdirSync(join(root, silentFolder)).map((file) => join(silentFolder, file)),
      silentFolder,
    ]) {
      utimesSync(join(root, name), anHourAgo, anHourAgo);
    }
    expect(await store.sweep({ untouchedSince: new Date(Date.now() - 1_800_000) })).toEqual([silentFolder]);
    await live.write({ email: 'c' });
    expect(await live.commit()).toMatchObject({ rows: 2 });
    expect(await readAll('seg_9')).toEqual([{ email: 'b' }, { email: 'c' }]);
    expect(await store.sweep({ untouchedSince: cutoff })).toEqual([]);
    await expect(silent.commit()).rejects.toThrow();
  });

  it('sweep puts back a dataset whose replacement crashed between the two renames', async () => {
    await write('seg_7', rows(3));
    // The state a crash leaves: the old dataset moved aside, the new one not renamed in yet.
    renameSync(join(root, 'seg_7'), join(root, 'seg_7.old-abc123'));
    mkdirSync(join(root, 'seg_7.tmp-def456'));
    expect(await store.exists('seg_7')).toBe(false);
    expect((await store.sweep()).sort()).toEqual(['seg_7.old-abc123', 'seg_7.tmp-def456']);
    expect(readdirSync(root)).toEqual(['seg_7']);
    expect(await readAll('seg_7')).toEqual(rows(3));
  });

  describe('bounded rows', () => {
    it('round-trips values holding line breaks, over many gzip chunks', async () => {
      const data = Array.from({ length: 3000 }, (_, i) => ({
        email: `u${i}@example.com`,
        note: i % 3 ? `line one\r\nline two\n${'y'.repeat(i % 50)}` : '',
      }));
      await write('seg_lines', data);
      expect(await readAll('seg_lines')).toEqual(data);
    });

    it('refuses to write a row longer than the limit, naming it, and keeps the writer usable', async () => {
      const small = new LocalSegmentRowStore(root, { maxRowLength: 100 });
      const writer = await small.openWriter('seg_wide');
      await writer.write({ email: 'a@example.com' });
      const refused = writer.write({ email: 'b@example.com', note: 'x'.repeat(100) });
      await expect(refused).rejects.toBeInstanceOf(RowTooLargeError);
      await expect(refused).rejects.toThrow(
        'Row 2 takes 135 characters once stored, over the limit of 100; shorten its values or keep fewer columns.',
      );
      await writer.write({ email: 'c@example.com' });
      expect(await writer.commit()).toMatchObject({ rows: 2 });
    });

    it('fails reading a 100 MB cell written before the limit, after the rows before it', async () => {
      const lenient = new LocalSegmentRowStore(root, { maxRowLength: 200 * 1024 * 1024 });
      const writer = await lenient.openWriter('seg_huge');
      await writer.write({ email: 'a@example.com' });
      await writer.write({ email: 'b@example.com', note: 'x'.repeat(100 * 1024 * 1024) });
      await writer.write({ email: 'c@example.com' });
      await writer.commit();
      const seen: SegmentRow[] = [];
      const reading = (async () => {
        for await (const row of store.read('seg_huge')) seen.push(row);
      })();
      await expect(reading).rejects.toBeInstanceOf(RowTooLargeError);
      await expect(reading).rejects.toThrow(
        `Dataset seg_huge holds a row longer than ${MAX_STORED_ROW_LENGTH} characters, the most a read accepts`,
      );
      expect(seen).toEqual([{ email: 'a@example.com' }]);
    });

    it('stops reading once the signal aborts', async () => {
      await write('seg_abort', rows(2500));
      const controller = new AbortController();
      const seen: SegmentRow[] = [];
      const reading = (async () => {
        for await (const row of store.read('seg_abort', { signal: controller.signal })) {
          seen.push(row);
          if (seen.length === 10) controller.abort(new Error('client gone'));
        }
      })();
      await expect(reading).rejects.toThrow('client gone');
      expect(seen).toEqual(rows(2500).slice(0, 10));
      const before = store.read('seg_abort', { signal: AbortSignal.abort() });
      await expect(before[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
});
