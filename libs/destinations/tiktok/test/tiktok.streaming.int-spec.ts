import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { xorDigest } from '@conduit/tiktok-emulator';
import { ADVERTISER, recordingReporter, sha256, startTikTokWorld, type TikTokWorld } from './tiktok-fixture';

// The export path must stream: memory stays flat whatever the segment size.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROWS = 2_000_000;
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

describe('TikTokProvider streaming (2 million rows through the emulator)', () => {
  let world: TikTokWorld;

  beforeAll(async () => {
    world = await startTikTokWorld({}, { maxFileBytes: 32 * 1024 * 1024 });
  });

  afterAll(() => world.close());

  it('keeps the heap flat and uploads files whose MD5 matches', async () => {
    async function* rows() {
      for (let index = 0; index < ROWS; index++) yield { email: `member${index}@example.com` };
    }
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 500);
    let result;
    try {
      result = await world.provider.export(
        {
          exportId: 'exp_two_million',
          rows,
          mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          config: { advertiserId: ADVERTISER, audienceName: 'Two million members', action: 'Create' },
          credentials: { accessToken: world.accessToken },
        },
        recordingReporter(),
      );
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    // Reported for the record: the figure the 64 MB target is checked against.
    process.stdout.write(
      `streaming export: ${ROWS} rows, peak heapUsed growth ${(growth / 1024 / 1024).toFixed(1)} MB\n`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(result.counts).toEqual({ read: ROWS, valid: ROWS, invalid: {}, duplicates: 0, uploaded: ROWS });

    const uploads = world.running.emulator.requests.filter(
      (entry) => entry.path === '/dmp/custom_audience/file/upload/',
    );
    expect(uploads.length).toBeGreaterThanOrEqual(4);
    // The emulator verifies every file_signature against the bytes it received (40900 otherwise).
    expect(uploads.every((entry) => entry.code === 0)).toBe(true);
    const [audience] = world.running.emulator.inspectAudiences(ADVERTISER);
    const expected = xorDigest(
      (function* () {
        for (let index = 0; index < ROWS; index++) yield sha256(`member${index}@example.com`);
      })(),
    );
    expect(
      (audience['identifiers'] as Record<string, { count: number; digest: string }>)['EMAIL_SHA256'],
    ).toEqual({ count: ROWS, digest: expected });
  }, 300_000);
});
