import { readFileSync } from 'node:fs';
import type { KeyMapping } from '@conduit/destinations-core';
import { LocalSegmentRowStore } from '@conduit/segment-store';
import { TikTokProvider } from '../src';

// One export in a process of its own, so that its wall time, CPU time (every thread) and peak
// resident set are the export's alone: the segment store's batches → TikTokProvider.export (the
// hashing pool, customer files, MD5, uploads, the audience's create) → the emulator's process. Started
// by tiktok-export.bench.ts with its settings in BENCH_EXPORT; prints one JSON line.

interface ExportRunSettings {
  /** The segment store's folder (the bench's generated datasets). */
  storeRoot: string;
  datasetId: string;
  mapping: KeyMapping[];
  audienceName: string;
  apiBaseUrl: string;
  appId: string;
  secret: string;
  advertiserId: string;
  accessToken: string;
}

/** Peak resident set of this process so far (VmHWM), in bytes. */
function peakResident(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env['BENCH_EXPORT'] ?? '{}') as ExportRunSettings;
  const store = new LocalSegmentRowStore(settings.storeRoot);
  const { rows } = await store.manifest(settings.datasetId);
  const provider = new TikTokProvider({
    appId: settings.appId,
    secret: settings.secret,
    apiBaseUrl: settings.apiBaseUrl,
  });
  const idleRss = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await provider.export(
    {
      exportId: `bench-${settings.datasetId}`,
      rows: () => store.read(settings.datasetId),
      rowBatches: () => store.readBatches(settings.datasetId),
      rowsNdjson: () => store.readNdjson(settings.datasetId),
      totalRows: rows,
      mapping: settings.mapping,
      config: { advertiserId: settings.advertiserId, audienceName: settings.audienceName, action: 'Create' },
      credentials: { accessToken: settings.accessToken },
    },
    { checkpoint: async () => undefined },
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({
      rows,
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      idleRss,
      peakRss: peakResident(),
      counts: result.counts,
      audienceId: result.references[0]?.id,
    })}\n`,
  );
  // The hashing pool's idle threads would keep the process up for their idle timeout.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
