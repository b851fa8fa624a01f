import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { xorDigest } from '@conduit/tiktok-emulator';
import { exportThroughEmulator, generatedEmail } from '../bench/export-through-emulator';
import { sha256 } from './tiktok-fixture';

// The export path must stream: memory stays flat whatever the segment size. Heap specs run in their
// own Jest pass without coverage (scripts/test.mjs): V8 block coverage slows this path ~4x. The
// timeout only guards against a hang; speed is the bench's business.
setFlagsFromString('--expose-gc');
(globalThis as { gc?: () => void }).gc ??= runInNewContext('gc') as () => void;

const ROWS = 2_000_000;
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

describe('TikTokProvider streaming (2 million rows through the emulator)', () => {
  it('keeps the heap flat and uploads files whose MD5 matches', async () => {
    const run = await exportThroughEmulator(ROWS, 32 * 1024 * 1024);
    // Reported for the record: the figure the 64 MB target is checked against.
    process.stdout.write(
      `streaming export: ${ROWS} rows in ${run.seconds.toFixed(1)} s, peak heapUsed growth ` +
        `${(run.peakHeapGrowthBytes / 1048576).toFixed(1)} MB\n`,
    );
    expect(run.peakHeapGrowthBytes).toBeLessThan(HEAP_GROWTH_LIMIT);
    // 65 bytes per SHA-256 line: 2M rows need 4 files of at most 32 MB, each signed with its MD5.
    const files = Math.ceil((ROWS * 65) / (32 * 1024 * 1024));
    expect(run.counts).toEqual({
      read: ROWS,
      valid: ROWS,
      invalid: {},
      duplicates: 0,
      uploaded: ROWS,
      files,
      bytes: ROWS * 65,
      byKeyType: { EMAIL: { valid: ROWS, invalid: {}, duplicates: 0 } },
    });
    expect(run.uploads).toBe(files);
    expect(run.uploadsAccepted).toBe(true);
    const expected = xorDigest(
      (function* () {
        for (let index = 0; index < ROWS; index++) yield sha256(generatedEmail(index));
      })(),
    );
    expect(run.stored).toEqual({ count: ROWS, digest: expected });
  }, 900_000);
});
