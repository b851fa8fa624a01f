import { createHash } from 'node:crypto';
import { IdentifierHasher } from '../identifiers/identifier-hasher';
import type { HashedIdentifiers } from '../identifiers/hash-identifiers';
import type {
  ExportCheckpoint,
  ExportRequest,
  KeyMapping,
  SegmentRow,
} from '../provider/destination-provider';
import {
  cancelledExport,
  runChunkedExport,
  type ChunkBuilder,
  type ChunkSender,
  type ChunksSentBefore,
  type SentChunk,
} from './chunked-export';
import type { KeyedRows } from './keyed-rows';

/** A chunk of a test provider: its lines, each the cells' digests in hex ('' for an empty cell). */
interface Lines {
  sequence: number;
  lines: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A provider's chunks in memory, at most `maxLines` lines each; `send` resolves when the test says
 * (or at once), and every call, release and moment is recorded.
 */
class LineChunks implements ChunkSender<Lines, string> {
  readonly sent: { sequence: number; last: boolean; lines: string[] }[] = [];
  readonly released: number[] = [];
  readonly discarded: number[] = [];
  /** Sends started and not yet settled. */
  sending = 0;
  mostSending = 0;
  fail?: (sequence: number) => Error | undefined;
  hold?: (sequence: number) => Promise<void> | undefined;

  constructor(
    private readonly types: number,
    private readonly maxLines: number,
  ) {}

  open(sequence: number): ChunkBuilder<Lines> {
    const chunk: Lines = { sequence, lines: [] };
    const cells = this.types;
    const maxLines = this.maxLines;
    const discarded = this.discarded;
    return {
      fits: (rows: KeyedRows) => chunk.lines.length + rows.lines <= maxLines,
      add: (rows, batch) => {
        for (let line = 0; line < rows.lines; line++) {
          const values: string[] = [];
          for (let cell = 0; cell < cells; cell++) {
            const entry = rows.entryAt(line, cell);
            values.push(
              entry < 0
                ? ''
                : (batch.columns[entry] as HashedIdentifiers).digests
                    .subarray(rows.offset, rows.offset + 32)
                    .toString('hex'),
            );
          }
          chunk.lines.push(values.join(','));
        }
      },
      close: async () => chunk,
      discard: () => discarded.push(sequence),
    };
  }

  bytesOf(chunk: Lines): number {
    return chunk.lines.join('\n').length;
  }

  async send(chunk: Lines, info: { sequence: number; last: boolean }): Promise<string> {
    this.sending++;
    this.mostSending = Math.max(this.mostSending, this.sending);
    try {
      await this.hold?.(info.sequence);
      const failure = this.fail?.(info.sequence);
      if (failure) throw failure;
      this.sent.push({ sequence: info.sequence, last: info.last, lines: chunk.lines });
      return `chunk-${info.sequence}`;
    } finally {
      this.sending--;
    }
  }

  release(chunk: Lines): void {
    this.released.push(chunk.sequence);
  }
}

const hasher = new IdentifierHasher({ threads: 0 });
const EMAIL: KeyMapping[] = [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }];
const emails = (count: number, from = 0) =>
  Array.from({ length: count }, (_, n) => ({ email: `person${from + n}@example.com` }));

function requestOf(rows: SegmentRow[], extra: Partial<ExportRequest> = {}): ExportRequest {
  return {
    exportId: 'exp_test',
    rows: async function* () {
      yield* rows;
    },
    mapping: EMAIL,
    config: {},
    credentials: {},
    ...extra,
  };
}

async function run(
  request: ExportRequest,
  sender: LineChunks,
  options: { concurrency?: number; flagLast?: boolean; resume?: ChunksSentBefore } = {},
) {
  const handed: SentChunk<string>[] = [];
  const progress: number[] = [];
  const result = await runChunkedExport({
    request,
    normalize: {},
    hasher,
    sender,
    destination: 'Test Ads',
    concurrency: options.concurrency ?? 2,
    flagLast: options.flagLast,
    resume: options.resume,
    onSent: async (chunk) => {
      handed.push(chunk);
    },
    reporter: {
      checkpoint: async (_: ExportCheckpoint) => undefined,
      progress: (counts) => progress.push(counts.read),
    },
  });
  return { result, handed, progress };
}

afterAll(() => hasher.close());

describe('runChunkedExport', () => {
  it('cuts chunks at the provider’s measure, sends each, and hands them over in row order with their rows and sizes', async () => {
    const sender = new LineChunks(1, 4);
    const { result, handed } = await run(requestOf(emails(10)), sender);
    expect(handed.map(({ sequence, endRow, values, last }) => ({ sequence, endRow, values, last }))).toEqual([
      { sequence: 1, endRow: 4, values: 4, last: false },
      { sequence: 2, endRow: 8, values: 4, last: false },
      { sequence: 3, endRow: 10, values: 2, last: false },
    ]);
    expect(handed.map((chunk) => chunk.receipt)).toEqual(['chunk-1', 'chunk-2', 'chunk-3']);
    expect(sender.sent.flatMap((chunk) => chunk.lines)).toEqual(emails(10).map(({ email }) => sha256(email)));
    expect(handed.map((chunk) => chunk.bytes)).toEqual(
      sender.sent.map(({ lines }) => lines.join('\n').length),
    );
    expect(result.chunks).toBe(3);
    expect(result.counts).toMatchObject({ read: 10, valid: 10, duplicates: 0, uploaded: 10, files: 3 });
    expect(result.counts.bytes).toBe(handed.reduce((total, chunk) => total + chunk.bytes, 0));
    expect(sender.released.sort()).toEqual([1, 2, 3]);
  });

  it('counts rejected and duplicate values and sends only distinct valid ones', async () => {
    const rows = [
      { email: 'a@example.com' },
      { email: 'not an email' },
      { email: 'A@Example.com ' },
      { email: '' },
    ];
    const sender = new LineChunks(1, 10);
    const { result } = await run(requestOf(rows), sender);
    expect(result.counts).toMatchObject({
      read: 4,
      valid: 2,
      duplicates: 1,
      uploaded: 1,
      invalid: { MALFORMED: 1, EMPTY: 1 },
    });
    expect(sender.sent).toEqual([{ sequence: 1, last: false, lines: [sha256('a@example.com')] }]);
  });

  it('puts several key types of a row on one line, a second value of a type on the next', async () => {
    const mapping: KeyMapping[] = [
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
      { column: 'work', keyType: 'EMAIL', encoding: 'RAW' },
    ];
    const rows = [{ email: 'a@example.com', phone: '+14155552671', work: 'b@example.com' }];
    const sender = new LineChunks(2, 10);
    await run(requestOf(rows, { mapping }), sender);
    expect(sender.sent[0]?.lines).toEqual([
      `${sha256('a@example.com')},${sha256('+14155552671')}`,
      `${sha256('b@example.com')},`,
    ]);
  });

  it('keeps at most `concurrency` chunks in hand: the next is filled once the oldest is accepted', async () => {
    const sender = new LineChunks(1, 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    sender.hold = () => gate;
    const running = run(requestOf(emails(6)), sender, { concurrency: 3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 3 in hand, all sending: the fourth is not filled before the first is accepted.
    expect(sender.sending).toBe(3);
    expect(sender.sent).toHaveLength(0);
    release();
    await running;
    expect(sender.mostSending).toBe(3);
    expect(sender.sent).toHaveLength(6);
  });

  it('hands chunks over in row order even when a later one is accepted first', async () => {
    const sender = new LineChunks(1, 2);
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    sender.hold = (sequence) => (sequence === 1 ? first : undefined);
    const running = run(requestOf(emails(4)), sender, { concurrency: 3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sender.sent.map((chunk) => chunk.sequence)).toEqual([2]);
    releaseFirst();
    const { handed } = await running;
    expect(handed.map((chunk) => chunk.sequence)).toEqual([1, 2]);
  });

  it('with flagLast sends the final chunk alone, after every other was accepted, flagged last', async () => {
    const sender = new LineChunks(1, 3);
    const order: string[] = [];
    sender.hold = async (sequence) => {
      order.push(`start ${sequence}`);
      await new Promise((resolve) => setTimeout(resolve, sequence === 3 ? 30 : 5));
      order.push(`end ${sequence}`);
    };
    const { handed } = await run(requestOf(emails(10)), sender, { concurrency: 4, flagLast: true });
    expect(handed.map(({ sequence, last }) => ({ sequence, last }))).toEqual([
      { sequence: 1, last: false },
      { sequence: 2, last: false },
      { sequence: 3, last: false },
      { sequence: 4, last: true },
    ]);
    expect(order.indexOf('start 4')).toBeGreaterThan(order.indexOf('end 3'));
    expect(order.indexOf('start 4')).toBeGreaterThan(order.indexOf('end 1'));
  });

  it('with flagLast and a single chunk, flags that one', async () => {
    const sender = new LineChunks(1, 100);
    const { handed } = await run(requestOf(emails(3)), sender, { flagLast: true });
    expect(handed.map(({ sequence, last }) => ({ sequence, last }))).toEqual([{ sequence: 1, last: true }]);
  });

  it('resumes after the rows earlier runs covered: those are counted and deduplicated, not sent again', async () => {
    const rows = [...emails(6), { email: 'person1@example.com' }, ...emails(2, 6)];
    const sender = new LineChunks(1, 2);
    const { result, handed } = await run(requestOf(rows), sender, {
      resume: { throughRow: 4, chunks: 2, values: 4, bytes: 100 },
    });
    expect(handed.map(({ sequence, endRow }) => ({ sequence, endRow }))).toEqual([
      // Row 7 (a duplicate) adds nothing: the chunk covers it all the same.
      { sequence: 3, endRow: 7 },
      { sequence: 4, endRow: 9 },
    ]);
    expect(sender.sent.flatMap((chunk) => chunk.lines)).toEqual(
      [...emails(2, 4), ...emails(2, 6)].map(({ email }) => sha256(email)),
    );
    expect(result.counts).toMatchObject({ read: 9, valid: 9, duplicates: 1, uploaded: 8, files: 4 });
    expect(result.counts.bytes).toBe(100 + handed.reduce((total, chunk) => total + chunk.bytes, 0));
  });

  it('on a dry run fills and measures every chunk but sends none', async () => {
    const sender = new LineChunks(1, 4);
    const { result, handed } = await run(requestOf(emails(10), { dryRun: true }), sender, { flagLast: true });
    expect(sender.sent).toEqual([]);
    expect(handed).toEqual([]);
    expect(result.counts).toMatchObject({ read: 10, uploaded: 10, files: 3 });
    expect(result.counts.bytes).toBe(2 * (4 * 64 + 3) + (2 * 64 + 1));
    expect(sender.released.sort()).toEqual([1, 2, 3]);
  });

  it('after a failed send, waits for every other send, releases what it holds and rejects with the failure', async () => {
    const sender = new LineChunks(1, 2);
    const failure = new Error('provider down');
    sender.fail = (sequence) => (sequence === 2 ? failure : undefined);
    sender.hold = (sequence) => new Promise((resolve) => setTimeout(resolve, sequence === 3 ? 30 : 1));
    await expect(run(requestOf(emails(10)), sender, { concurrency: 3 })).rejects.toBe(failure);
    expect(sender.sending).toBe(0);
    expect(sender.released).toContain(2);
  });

  it('with flagLast, releases the chunk held back when the export fails before sending it', async () => {
    const sender = new LineChunks(1, 2);
    const failure = new Error('provider down');
    sender.fail = (sequence) => (sequence === 2 ? failure : undefined);
    await expect(run(requestOf(emails(6)), sender, { flagLast: true, concurrency: 4 })).rejects.toBe(failure);
    // Chunk 3 was closed and held (the last one is only sent once every other is accepted): freed.
    expect(sender.sent.map((chunk) => chunk.sequence)).toEqual([1]);
    expect([...sender.released].sort()).toEqual([1, 2, 3]);
  });

  it('takes a sender without release (nothing to free), on a dry run, a send and a failure', async () => {
    const withoutRelease = (sender: LineChunks): ChunkSender<Lines, string> => ({
      open: (sequence) => sender.open(sequence),
      bytesOf: (chunk) => sender.bytesOf(chunk),
      send: (chunk, info) => sender.send(chunk, info),
    });
    const exportWith = (sender: ChunkSender<Lines, string>, request: ExportRequest) =>
      runChunkedExport({
        request,
        normalize: {},
        hasher,
        sender,
        destination: 'Test Ads',
        concurrency: 2,
        onSent: async () => undefined,
        reporter: { checkpoint: async () => undefined },
      });
    const dry = await exportWith(
      withoutRelease(new LineChunks(1, 2)),
      requestOf(emails(3), { dryRun: true }),
    );
    expect(dry.chunks).toBe(2);
    const sent = await exportWith(withoutRelease(new LineChunks(1, 2)), requestOf(emails(3)));
    expect(sent.chunks).toBe(2);
    const failing = new LineChunks(1, 2);
    failing.fail = () => new Error('provider down');
    await expect(exportWith(withoutRelease(failing), requestOf(emails(3)))).rejects.toThrow('provider down');
  });

  it('finishes when freeing a chunk fails (a file that cannot be deleted): freeing is best effort', async () => {
    const sender = new LineChunks(1, 2);
    sender.release = () => {
      throw new Error('EACCES: permission denied');
    };
    const { result } = await run(requestOf(emails(5)), sender);
    expect(result.chunks).toBe(3);
    const dry = await run(requestOf(emails(5), { dryRun: true }), sender);
    expect(dry.result.chunks).toBe(3);
  });

  it('stops at the next batch when the export is cancelled, discarding the chunk being filled', async () => {
    const controller = new AbortController();
    const sender = new LineChunks(1, 1_000_000);
    async function* batches() {
      yield emails(10);
      yield emails(10, 10);
      // The first batch is taken (into chunk 1) once the second is hashed ahead.
      controller.abort();
      yield emails(10, 20);
    }
    const request = requestOf([], { rowBatches: batches, signal: controller.signal });
    await expect(run(request, sender)).rejects.toEqual(cancelledExport());
    expect(sender.sent).toEqual([]);
    expect(sender.discarded).toEqual([1]);
  });

  it('refuses a row holding a list in a mapped column, naming the column and the destination', async () => {
    const sender = new LineChunks(1, 10);
    await expect(
      run(requestOf([{ email: ['a@example.com', 'b@example.com'] }]), sender),
    ).rejects.toMatchObject({
      field: 'mapping.email',
      message:
        'Column "email" holds several values in one row (a multi-value column); flatten it into one value per row before exporting to Test Ads.',
    });
  });

  it('fails a segment with no valid identifier, saying what was rejected, rather than send nothing', async () => {
    const rows = [
      { email: 'not an email' },
      { email: '' },
      ...Array.from({ length: 1_000 }, () => ({ email: 'x' })),
    ];
    const failure = await run(requestOf(rows), new LineChunks(1, 10)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'PAYLOAD_VALIDATION', field: 'mapping' });
    expect((failure as Error).message).toBe(
      'The segment has no valid identifier to send (1,002 rows read; rejected: 1,001 MALFORMED, 1 EMPTY); check the column mapping and the data.',
    );
    // A dry run says so through its counts instead; a resume whose chunks were all sent has nothing left.
    const dry = await run(requestOf(rows, { dryRun: true }), new LineChunks(1, 10));
    expect(dry.result.counts).toMatchObject({ uploaded: 0, files: 0 });
    const resumed = await run(requestOf(emails(2)), new LineChunks(1, 10), {
      resume: { throughRow: 2, chunks: 1, values: 2, bytes: 129 },
    });
    expect(resumed.result.chunks).toBe(1);
  });

  it('reports progress every 100,000 rows and once at the end', async () => {
    const sender = new LineChunks(1, 1_000_000);
    const { progress } = await run(requestOf(emails(200_001)), sender);
    expect(progress).toEqual([100_000, 200_000, 200_001]);
  });
});
