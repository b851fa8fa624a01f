import { xorDigest } from '@conduit/tiktok-emulator';
import { ADVERTISER, recordingReporter, sha256, startTikTokWorld, type TikTokWorld } from './tiktok-fixture';

// The export path streams a segment into size-bounded customer files, each signed with its MD5, and
// every identifier arrives exactly once. (Its memory and speed targets at 2M rows are checked by
// bench/export-throughput.bench.ts: `npm run bench -- tiktok`.)
const ROWS = 300_000;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

describe(`TikTokProvider streaming (${ROWS.toLocaleString('en')} rows through the emulator)`, () => {
  let world: TikTokWorld;

  beforeAll(async () => {
    world = await startTikTokWorld({}, { maxFileBytes: MAX_FILE_BYTES });
  });

  afterAll(() => world.close());

  it('cuts files below the size limit and uploads files whose MD5 matches', async () => {
    async function* rows() {
      for (let index = 0; index < ROWS; index++) yield { email: `member${index}@example.com` };
    }
    const result = await world.provider.export(
      {
        exportId: 'exp_streaming',
        rows,
        mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        config: { advertiserId: ADVERTISER, audienceName: 'Streamed members', action: 'Create' },
        credentials: { accessToken: world.accessToken },
      },
      recordingReporter(),
    );
    expect(result.counts).toEqual({ read: ROWS, valid: ROWS, invalid: {}, duplicates: 0, uploaded: ROWS });

    const uploads = world.running.emulator.requests.filter(
      (entry) => entry.path === '/dmp/custom_audience/file/upload/',
    );
    // 65 bytes per SHA-256 line: the rows need ceil(ROWS * 65 / MAX_FILE_BYTES) files, each under the limit.
    expect(uploads.length).toBe(Math.ceil((ROWS * 65) / MAX_FILE_BYTES));
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
  }, 120_000);
});
