import { InMemoryRateLimiter, type SegmentRow } from '@conduit/destinations-core';
import { DEFAULT_EMULATOR_OPTIONS, startTikTokEmulator } from '@conduit/tiktok-emulator';
import { TikTokProvider } from '../src';

// The export hot path end to end: rows → normalize → SHA-256 → dedupe → MD5-signed files → upload
// → create, against the in-process emulator (which parses and stores every identifier too).
const ROWS = Number(process.env['BENCH_EXPORT_ROWS'] ?? 1_000_000);
const MIN_ROWS_PER_SECOND = 25_000;

async function main(): Promise<void> {
  const running = await startTikTokEmulator({
    rateLimit: { perSecond: 100_000, perMinute: 10_000_000 },
    processingDelayMs: 1,
  });
  try {
    const app = DEFAULT_EMULATOR_OPTIONS.apps[0];
    const provider = new TikTokProvider({
      appId: app.appId,
      secret: app.secret,
      apiBaseUrl: running.apiBaseUrl,
      rateLimiter: new InMemoryRateLimiter({ perSecond: 100_000 }),
      maxFileBytes: 64 * 1024 * 1024,
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
    (globalThis as { gc?: () => void }).gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = process.hrtime.bigint();
    const result = await provider.export(
      {
        exportId: 'bench',
        rows,
        mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        config: {
          advertiserId: DEFAULT_EMULATOR_OPTIONS.advertisers[0].advertiserId,
          audienceName: 'Throughput bench',
          action: 'Create',
        },
        credentials,
      },
      { checkpoint: async () => undefined },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    (globalThis as { gc?: () => void }).gc?.();
    const rowsPerSecond = Math.round(ROWS / seconds);
    console.log(
      JSON.stringify({
        bench: 'tiktok export throughput',
        rows: ROWS,
        uploaded: result.counts.uploaded,
        seconds: Number(seconds.toFixed(1)),
        rowsPerSecond,
        heapAfterMinusBeforeMB: Number(
          ((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024).toFixed(1),
        ),
        minRowsPerSecond: MIN_ROWS_PER_SECOND,
      }),
    );
    if (result.counts.uploaded !== ROWS || rowsPerSecond < MIN_ROWS_PER_SECOND) process.exitCode = 1;
  } finally {
    await running.close();
  }
}

void main();
