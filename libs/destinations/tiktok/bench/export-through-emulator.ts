import { InMemoryRateLimiter, type ExportCounts, type SegmentRow } from '@conduit/destinations-core';
import { DEFAULT_EMULATOR_OPTIONS, startTikTokEmulator } from '@conduit/tiktok-emulator';
import { TikTokProvider } from '../src';

/** What one export of generated rows through the in-process emulator did, and what it cost. */
export interface ExportRun {
  counts: ExportCounts;
  /** Customer files uploaded, and whether TikTok (the emulator) accepted every one's MD5 signature. */
  uploads: number;
  uploadsAccepted: boolean;
  /** The emulator's record of the audience's SHA-256 emails: how many, and their XOR digest. */
  stored?: { count: number; digest: string };
  seconds: number;
  /** Peak `heapUsed` growth over the run, sampled every 500 ms after a collection when `gc` is exposed. */
  peakHeapGrowthBytes: number;
}

/** The email of generated row `index` (what `exportThroughEmulator` sends). */
export const generatedEmail = (index: number): string => `member${index}@example.com`;

/**
 * The export hot path end to end: `rows` generated rows → normalize → SHA-256 → dedupe → MD5-signed
 * files → upload → create, against an in-process emulator (which parses and stores every identifier
 * too). Shared by the throughput bench and the streaming heap spec.
 */
export async function exportThroughEmulator(rows: number, maxFileBytes: number): Promise<ExportRun> {
  const gc = (globalThis as { gc?: () => void }).gc;
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
      maxFileBytes,
    });
    const callback = await running.confirmConsent({ state: 'export-run' });
    const { credentials } = await provider.authorization.exchangeCode({
      code: callback.searchParams.get('auth_code') as string,
      redirectUri: app.redirectUris[0],
    });
    async function* generated(): AsyncGenerator<SegmentRow> {
      for (let index = 0; index < rows; index++) yield { email: generatedEmail(index) };
    }

    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const sampler = setInterval(() => {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }, 500);
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await provider.export(
        {
          exportId: 'export-run',
          rows: generated,
          mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          config: { advertiserId, audienceName: 'Generated members', action: 'Create' },
          credentials,
        },
        { checkpoint: async () => undefined },
      );
    } finally {
      clearInterval(sampler);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const uploads = running.emulator.requests.filter(
      (entry) => entry.path === '/dmp/custom_audience/file/upload/',
    );
    const [audience] = running.emulator.inspectAudiences(advertiserId);
    const identifiers = audience?.['identifiers'] as
      | Record<string, { count: number; digest: string }>
      | undefined;
    return {
      counts: result.counts,
      uploads: uploads.length,
      // The emulator verifies every file_signature against the bytes it received (40900 otherwise).
      uploadsAccepted: uploads.every((entry) => entry.code === 0),
      stored: identifiers?.['EMAIL_SHA256'],
      seconds,
      peakHeapGrowthBytes: peak,
    };
  } finally {
    await running.close();
  }
}
