import { InMemoryRateLimiter, type SegmentRow } from '@conduit/destinations-core';
import { DEFAULT_EMULATOR_OPTIONS, startTikTokEmulator } from '@conduit/tiktok-emulator';
import { TikTokProvider } from '../src';

// The export hot path end to end: rows → normalize → SHA-256 → dedupe → MD5-signed files → upload
// → create, against the in-process emulator (which parses and stores every identifier too).
// Targets: ≥ 25,000 rows/s, and the export streams — < 64 MB live-heap growth at its peak (sampled
// after a forced collection every 500 ms; `npm run bench` runs with --expose-gc).
const ROWS = Number(process.env['BENCH_EXPORT_ROWS'] ?? 2_000_000);
const MIN_ROWS_PER_SECOND = 25_000;
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const running = await startTikTokEmulator({
    rateLimit: { perSecond: 100_000, perMinute: 10_000_000 },
    processingDelayMs: 1,
  });
  try {
    const app = DEFAULT_EMULATOR_OPTIONS.apps[0];
    const advertiserId = DEFAULT_EMULATOR_OPTIONS.advertisers[0].advertiserId;
    const provider = new TikTokProvider({
      appId: app.appId,
      secret: app.secret,
      apiBaseUrl: running.apiBaseUrl,
      rateLimiter: new InMemoryRateLimiter({ perSecond: 100_000 }),
      maxFileBytes: 32 * 1024 * 1024,
    });
    const callback = await running.confirmConsent({ state: 'bench' });
    const code = callback.searchParams.get('auth_code') as string;
    const { credentials } = await provider.authorization.exchangeCode({
      code,
      redirectUri: app.redirectUris[0],
    });
    async function* rows(): AsyncGenerator<SegmentRow> {
      for (let index = 0; index < ROWS; index++) yield { email: `member${index}@example.com` };
    }
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = 0;
    const sampler = setInterval(() => {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore);
    }, 500);
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await provider.export(
        {
          exportId: 'bench',
          rows,
          mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          config: { advertiserId, audienceName: 'Throughput bench', action: 'Create' },
          credentials,
        },
        { checkpoint: async () => undefined },
      );
    } finally {
      clearInterval(sampler);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rowsPerSecond = Math.round(ROWS / seconds);
    const [audience] = running.emulator.inspectAudiences(advertiserId);
    const stored = (audience?.['identifiers'] as Record<string, { count: number }> | undefined)?.[
      'EMAIL_SHA256'
    ]?.count;
    console.log(
      JSON.stringify({
        bench: 'tiktok export throughput and memory',
        rows: ROWS,
        uploaded: result.counts.uploaded,
        storedByEmulator: stored,
        seconds: Number(seconds.toFixed(1)),
        rowsPerSecond,
        minRowsPerSecond: MIN_ROWS_PER_SECOND,
        peakHeapGrowthMB: Number((peak / 1048576).toFixed(1)),
        limitMB: HEAP_GROWTH_LIMIT / 1048576,
        gcForced: Boolean(gc),
      }),
    );
    const correct = result.counts.uploaded === ROWS && stored === ROWS;
    if (!correct || rowsPerSecond < MIN_ROWS_PER_SECOND || peak >= HEAP_GROWTH_LIMIT) process.exitCode = 1;
  } finally {
    await running.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
