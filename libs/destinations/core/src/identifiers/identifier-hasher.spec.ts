import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { hashIdentifiers, HashedIdentifiers, type IdentifierBatch } from './hash-identifiers';
import { IdentifierHasher } from './identifier-hasher';
import type { KeyEncoding, KeyType, NormalizeOptions } from './identifier-types';
import { normalizeIdentifier, prepareIdentifier } from './normalize-identifier';

/** Cells of every kind: valid and invalid emails, phones and MAIDs, digests, empties, non-strings. */
function corpus(size: number): unknown[] {
  const cells: unknown[] = [];
  for (let n = 0; cells.length < size; n++) {
    cells.push(
      `Member${n}@Example.com `,
      `not an email ${n}`,
      `+1 415 555 ${String(2671 + (n % 7000)).padStart(4, '0')}`,
      `4155552${String(n % 1000).padStart(3, '0')}`,
      `5f3a2b18-9c4d-4e7f-b8e2-${String(n).padStart(12, '0')}`,
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'.toUpperCase(),
      '',
      null,
      n,
      ['two', 'values'],
      { an: 'object' },
      `jörg${n}@exämple.de`,
    );
  }
  return cells.slice(0, size);
}

/** What normalizeIdentifier says of each cell, in the shape a hashed batch reports it. */
function expected(batch: IdentifierBatch): { hash?: string; reason?: string }[] {
  return batch.values.map((value) => {
    const result = normalizeIdentifier(batch.keyType, batch.encoding, value, batch.options);
    return result.ok ? { hash: result.hash } : { reason: result.reason };
  });
}

function seen(result: HashedIdentifiers): { hash?: string; reason?: string }[] {
  return Array.from({ length: result.count }, (_, index) => {
    const reason = result.rejection(index);
    if (reason) return { reason };
    return { hash: Buffer.from(result.digests.subarray(index * 32, index * 32 + 32)).toString('hex') };
  });
}

const batches: [KeyType, KeyEncoding, NormalizeOptions | undefined][] = [
  ['EMAIL', 'RAW', undefined],
  ['PHONE', 'RAW', { defaultPhoneRegion: 'US' }],
  ['PHONE', 'RAW', { phoneHashIncludesPlus: false }],
  ['MAID', 'RAW', undefined],
  ['EMAIL', 'SHA256', undefined],
];

describe('hashIdentifiers', () => {
  it.each(batches)(
    '%s %s %j: value for value what normalizeIdentifier says',
    (keyType, encoding, options) => {
      const batch = { keyType, encoding, options, values: corpus(600) };
      const result = new HashedIdentifiers(600, hashIdentifiers(batch));
      expect(seen(result)).toEqual(expected(batch));
      // Some of each: the corpus exercises both outcomes for every key type.
      expect(seen(result).some((entry) => entry.hash)).toBe(true);
      expect(seen(result).some((entry) => entry.reason)).toBe(true);
    },
  );

  it('hands back a buffer of its own (transferable), sized to the batch', () => {
    const bytes = hashIdentifiers({ keyType: 'EMAIL', encoding: 'RAW', values: ['a@b.co', 'x'] });
    expect(bytes.byteLength).toBe(2 * 33);
    expect(bytes.buffer.byteLength).toBe(2 * 33);
    expect(() => new HashedIdentifiers(3, bytes)).toThrow(
      new RangeError('A batch of 3 needs 99 bytes, got 66.'),
    );
    // A view into a larger buffer: its own bytes only.
    const padded = new Uint8Array(10 + bytes.byteLength);
    padded.set(bytes, 10);
    const view = new HashedIdentifiers(2, padded.subarray(10));
    expect(view.rejection(0)).toBeUndefined();
    expect(view.rejection(1)).toBe('MALFORMED');
    expect(Buffer.from(view.digests)).toEqual(Buffer.from(bytes.subarray(2)));
  });
});

describe('IdentifierHasher', () => {
  const pool = new IdentifierHasher({ threads: 2 });
  afterAll(() => pool.close());

  it('hashes batches on worker threads, each result in its batch’s order, as on the calling thread', async () => {
    const submitted = batches.map(([keyType, encoding, options], n) => ({
      keyType,
      encoding,
      options,
      values: corpus(5_000 + n),
    }));
    // All submitted at once, awaited in order, as an export pipelines them.
    const results = await Promise.all(submitted.map((batch) => pool.hash(batch)));
    results.forEach((result, index) =>
      expect(seen(result)).toEqual(expected(submitted[index] as IdentifierBatch)),
    );
    expect(pool.threads).toBe(2);
  });

  it('hashes on the calling thread with threads: 0, and small batches always', async () => {
    const inline = new IdentifierHasher({ threads: 0 });
    const batch: IdentifierBatch = { keyType: 'EMAIL', encoding: 'RAW', values: corpus(3_000) };
    expect(seen(await inline.hash(batch))).toEqual(expected(batch));
    expect(inline.threads).toBe(0);
    const small: IdentifierBatch = { keyType: 'MAID', encoding: 'RAW', values: corpus(10) };
    expect(seen(await pool.hash(small))).toEqual(expected(small));
    await inline.close();
  });

  it('hashes rows the same from NDJSON (parsed on a thread) as from parsed rows, examples and lists included', async () => {
    const cells = corpus(3_000).filter((cell) => !Array.isArray(cell) && typeof cell !== 'object');
    const rows = cells.map((cell, n) => ({ email: cell, phone: cells[(n * 7) % cells.length], id: n }));
    const ndjson = Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    const columns = [
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
      { column: 'missing', keyType: 'MAID', encoding: 'RAW' },
    ] as const;
    const fromText = await pool.hashRows(ndjson, columns, { defaultPhoneRegion: 'US' });
    const fromRows = await pool.hashRows(rows, columns, { defaultPhoneRegion: 'US' });
    expect(fromText.count).toBe(rows.length);
    expect(fromText.columns.map(seen)).toEqual(fromRows.columns.map(seen));
    // The first three rejected values of each column and reason come back as examples, as they were.
    for (let column = 0; column < 2; column++) {
      const rejected = Array.from({ length: rows.length }, (_, row) => row).filter(
        (row) => fromRows.columns[column]?.rejection(row) === 'MALFORMED',
      );
      expect(rejected.length).toBeGreaterThan(3);
      for (const row of rejected.slice(0, 3))
        expect(fromText.rejectedValue(column, row)).toEqual(fromRows.rejectedValue(column, row));
      expect(fromText.rejectedValue(column, rejected[3] as number)).toBeUndefined();
    }
    expect(fromText.multiValueColumn).toBeUndefined();

    const listed = Buffer.from(`{"email":"a@b.co"}\n{"email":["a@b.co","c@d.co"]}\n`);
    expect((await pool.hashRows(listed, columns)).multiValueColumn).toBe('email');
    expect((await pool.hashRows([{ phone: ['1', '2'] }], columns)).multiValueColumn).toBe('phone');
    expect((await pool.hashRows(Buffer.alloc(0), columns)).count).toBe(0);
  });

  it('queues every batch submitted while its threads are busy, never refusing one', async () => {
    // As a process running many exports at once submits them: each a few batches ahead, together far
    // more than the threads (piscina's own bound once failed the exports past it).
    const single = new IdentifierHasher({ threads: 1 });
    const submitted = Array.from({ length: 60 }, (_, n): IdentifierBatch => {
      const [keyType, encoding, options] = batches[n % batches.length] as (typeof batches)[number];
      return { keyType, encoding, options, values: corpus(400 + n) };
    });
    const results = await Promise.all(submitted.map((batch) => single.hash(batch)));
    expect(results.map(seen)).toEqual(submitted.map(expected));
    const text = corpus(2_000)
      .map((cell) => `${JSON.stringify({ email: cell })}\n`)
      .join('');
    const columns = [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }] as const;
    // A buffer each: the pool takes (transfers) the bytes it is given.
    const rows = await Promise.all(
      Array.from({ length: 30 }, () => single.hashRows(Buffer.from(text), columns)),
    );
    expect(rows.map((hashed) => hashed.count)).toEqual(Array(30).fill(2_000));
    await single.close();
  });

  it('refuses a thread count that is not a whole number ≥ 0', () => {
    expect(() => new IdentifierHasher({ threads: -1 })).toThrow(/threads/);
    expect(() => new IdentifierHasher({ threads: 1.5 })).toThrow(/threads/);
  });
});

describe('IdentifierHasher: plain columns, on a thread as on the calling thread', () => {
  const pool = new IdentifierHasher({ threads: 1 });
  const inline = new IdentifierHasher({ threads: 0 });
  afterAll(() => Promise.all([pool.close(), inline.close()]));

  const options: NormalizeOptions = { defaultPhoneRegion: 'US', plainKeyTypes: ['MAID'] };
  const plainTexts = (result: HashedIdentifiers) =>
    Array.from({ length: result.count }, (_, index) => result.plain(index));
  const cells = corpus(3_000).filter((cell) => !Array.isArray(cell) && typeof cell !== 'object');
  // Over 16 KB of NDJSON and 256 values a column: both paths go to the thread.
  const rows = cells.map((cell, n) => ({
    email: cell,
    maid: cells[(n * 5) % cells.length],
    phone: cells[(n * 7) % cells.length],
  }));
  const columns = [
    { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
    { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
    { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
  ] as const;

  it('hashes a plain batch on the thread, its texts and digests as on the calling thread', async () => {
    const batch: IdentifierBatch = { keyType: 'MAID', encoding: 'RAW', options, values: corpus(3_000) };
    const [threaded, here] = await Promise.all([pool.hash(batch), inline.hash(batch)]);
    expect(plainTexts(threaded)).toEqual(plainTexts(here));
    expect(seen(threaded)).toEqual(expected(batch));
    // A text for each accepted value, the SHA-256 of which is its digest; none for a rejected one.
    const texts = plainTexts(threaded);
    expect(texts.filter((text) => text !== undefined)).toHaveLength(250);
    expect(texts.map((text) => text && createHash('sha256').update(text).digest('hex'))).toEqual(
      seen(threaded).map((entry) => entry.hash),
    );
    expect(pool.threads).toBe(1);
  });

  it('hashes rows with plain and hashed columns mixed, parsed or NDJSON, on the thread as here', async () => {
    const text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    // A buffer each: the pool's is moved to its thread.
    const [ndjson, copy] = [Buffer.from(text), Buffer.from(text)];
    expect(ndjson.byteLength).toBeGreaterThan(16 * 1024);
    const answers = await Promise.all([
      pool.hashRows(ndjson, columns, options),
      pool.hashRows(rows, columns, options),
      inline.hashRows(copy, columns, options),
      inline.hashRows(rows, columns, options),
    ]);
    expect(answers.map((answer) => answer.count)).toEqual([
      rows.length,
      rows.length,
      rows.length,
      rows.length,
    ]);
    const maids = rows.map((row) => {
      const prepared = prepareIdentifier('MAID', 'RAW', row.maid);
      return prepared.ok ? prepared.value : undefined;
    });
    expect(maids.filter((maid) => maid !== undefined).length).toBeGreaterThan(100);
    for (const answer of answers) {
      expect(answer.columns.map(plainTexts)).toEqual([
        rows.map(() => undefined),
        maids,
        rows.map(() => undefined),
      ]);
      expect(answer.columns.map(seen)).toEqual(answers[3]?.columns.map(seen));
    }
  });

  it('refuses a SHA256 column of a plain key type on every path, naming it', async () => {
    const digests = corpus(3_000).map(
      () => 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const refused = {
      message: expect.stringMatching(/^A SHA256 column cannot hold MAID: /),
      name: 'RangeError',
    };
    const hashedMaid = [{ column: 'maid', keyType: 'MAID', encoding: 'SHA256' }] as const;
    const hashedRows = digests.map((maid) => ({ maid }));
    const hashedNdjson = hashedRows.map((row) => `${JSON.stringify(row)}\n`).join('');
    for (const hasher of [pool, inline]) {
      await expect(
        hasher.hash({ keyType: 'MAID', encoding: 'SHA256', options, values: digests }),
      ).rejects.toMatchObject(refused);
      await expect(hasher.hashRows(hashedRows, hashedMaid, options)).rejects.toMatchObject(refused);
      await expect(hasher.hashRows(Buffer.from(hashedNdjson), hashedMaid, options)).rejects.toMatchObject(
        refused,
      );
    }
    // Without the declaration, the same column hashes as ever.
    expect(seen(await pool.hash({ keyType: 'MAID', encoding: 'SHA256', values: digests }))[0]).toEqual({
      hash: digests[0],
    });
  });
});
