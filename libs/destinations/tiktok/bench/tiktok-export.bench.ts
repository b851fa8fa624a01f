import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { benchSmoke, reportBench, type BenchFigure } from '@conduit/bench';
import type { ExportCounts, KeyMapping } from '@conduit/destinations-core';
import { TikTokProvider } from '../src';
import { BENCH_DATA, PEER_FIGURE, ROOT, type BenchColumns } from '@conduit/bench/identifiers';
import { benchDataset } from './bench-dataset';

// Section 3, ours end to end: a materialized segment (generated, seeded, in the segment store) → the
// export path in a process of its own (export-run.ts) → the TikTok emulator as its own process on
// loopback (from dist: `npm run bench` builds first) → the audience created, its identifiers counted
// by the emulator. 100 k, 1 M and 10 M emails show how time and memory grow; a run with three key
// columns (email, phone, MAID: MULTIPLE_TYPES files) shows the cost of phones.

const EMULATOR = join(ROOT, 'dist', 'apps', 'tiktok-emulator', 'src', 'main.js');
/** The export runs built, as in production (its hashing threads then load compiled code too). */
const EXPORT_RUN = join(ROOT, 'dist', 'libs', 'destinations', 'tiktok', 'bench', 'export-run.js');
const APP = {
  appId: '7100000000000000001',
  secret: 'bench-secret-0123456789',
  redirectUri: 'http://127.0.0.1/callback',
};
const ADVERTISER = '7000000000000000001';
const MB = 2 ** 20;

export interface ExportBenchRun {
  rows: number;
  columns: BenchColumns;
}

const RUNS: ExportBenchRun[] = benchSmoke()
  ? [
      { rows: 5_000, columns: 'email' },
      { rows: 2_000, columns: 'email+phone+maid' },
    ]
  : [
      { rows: 100_000, columns: 'email' },
      { rows: 1_000_000, columns: 'email' },
      { rows: 10_000_000, columns: 'email' },
      { rows: 1_000_000, columns: 'email+phone+maid' },
    ];

const MAPPINGS: Record<BenchColumns, KeyMapping[]> = {
  email: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
  'email+phone+maid': [
    { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
    { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
    { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
  ],
};

interface ExportRunResult {
  rows: number;
  seconds: number;
  cpuSeconds: number;
  idleRss: number;
  peakRss: number;
  counts: ExportCounts;
  audienceId: string;
}

/** 100000 → "100 k rows", 10000000 → "10 M rows". */
function rowsLabel(rows: number): string {
  return rows >= 1e6 ? `${rows / 1e6} M rows` : `${rows / 1e3} k rows`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  for (const built of [EMULATOR, EXPORT_RUN])
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first.`);
  const port = await freePort();
  const child = spawn(process.execPath, [EMULATOR], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      TIKTOK_EMULATOR_PORT: String(port),
      TIKTOK_EMULATOR_APP_ID: APP.appId,
      TIKTOK_EMULATOR_APP_SECRET: APP.secret,
      TIKTOK_EMULATOR_REDIRECT_URIS: APP.redirectUri,
      TIKTOK_EMULATOR_ADVERTISERS: `${ADVERTISER}:Bench Advertiser`,
      TIKTOK_EMULATOR_PROCESSING_DELAY_MS: '100',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (
      await fetch(`${url}/_emulator/health`).then(
        (answer) => answer.ok,
        () => false,
      )
    )
      break;
    if (attempt > 100 || child.exitCode !== null) throw new Error('The emulator did not start.');
    await new Promise((done) => setTimeout(done, 100));
  }
  return { url, child };
}

/** An access token for the bench advertiser, through the emulator's consent page and the code exchange. */
async function accessToken(url: string): Promise<string> {
  const consent = await fetch(`${url}/portal/auth/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      app_id: APP.appId,
      state: 'bench',
      redirect_uri: APP.redirectUri,
    }).toString(),
    redirect: 'manual',
  });
  const code = new URL(consent.headers.get('location') ?? 'http://none').searchParams.get('auth_code');
  if (!code) throw new Error(`The emulator's consent page answered ${consent.status}.`);
  const provider = new TikTokProvider({ ...APP, apiBaseUrl: `${url}/open_api/v1.3` });
  const { credentials } = await provider.authorization.exchangeCode({ code, redirectUri: APP.redirectUri });
  return credentials['accessToken'] as string;
}

function exportInItsOwnProcess(settings: Record<string, unknown>): Promise<ExportRunResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [EXPORT_RUN],
      { env: { ...process.env, BENCH_EXPORT: JSON.stringify(settings) }, maxBuffer: 16 * MB },
      (error, stdout, stderr) => {
        if (error) return fail(new Error(`The export failed: ${stderr || error.message}`));
        done(JSON.parse(stdout.trim().split('\n').at(-1) as string) as ExportRunResult);
      },
    );
  });
}

/** The section's figures for `runs` (100 k, 1 M and 10 M emails, 1 M rows of three columns by default). */
export async function run(runs: readonly ExportBenchRun[] = RUNS): Promise<BenchFigure[]> {
  const emulator = await startEmulator();
  const figures: BenchFigure[] = [];
  try {
    const token = await accessToken(emulator.url);
    const results: { rows: number; columns: BenchColumns; run: ExportRunResult }[] = [];
    for (const { rows, columns } of runs) {
      const dataset = await benchDataset(rows, columns);
      if (dataset.seconds > 0)
        console.error(`generated ${dataset.datasetId} in ${dataset.seconds.toFixed(0)} s`);
      const audienceName = `Bench ${dataset.datasetId} ${Date.now()}`;
      const run = await exportInItsOwnProcess({
        storeRoot: BENCH_DATA,
        datasetId: dataset.datasetId,
        mapping: MAPPINGS[columns],
        audienceName,
        apiBaseUrl: `${emulator.url}/open_api/v1.3`,
        appId: APP.appId,
        secret: APP.secret,
        advertiserId: ADVERTISER,
        accessToken: token,
      });
      // The emulator's own count of what the audience received: every identifier the export sent.
      const audience = (await (
        await fetch(`${emulator.url}/_emulator/audiences/${run.audienceId}`)
      ).json()) as { identifiers: Record<string, { count: number }> };
      const received = Object.values(audience.identifiers).reduce((sum, entry) => sum + entry.count, 0);
      if (received !== run.counts.uploaded)
        throw new Error(
          `The emulator holds ${received} identifiers, the export sent ${run.counts.uploaded}.`,
        );
      results.push({ rows, columns, run });
      console.error(
        `${columns} ${rows}: ${run.seconds.toFixed(1)} s, ${((rows * MAPPINGS[columns].length) / run.seconds / 1e6).toFixed(2)} M ids/s`,
      );
    }

    const largest = results.filter((result) => result.columns === 'email').at(-1) as (typeof results)[number];
    // Identifiers read (valid or not) per second of the export's wall time, as section 2 counts them.
    const rate = (result: (typeof results)[number]) =>
      (result.run.rows * MAPPINGS[result.columns].length) / result.run.seconds;
    // Section 2's figure, when it measured the same emails as the largest run here.
    const written = existsSync(PEER_FIGURE)
      ? (JSON.parse(readFileSync(PEER_FIGURE, 'utf8')) as { rows: number; identifiersPerSecond: number })
      : undefined;
    const peer = written?.rows === largest.rows ? written : undefined;
    for (const result of results) {
      const { run } = result;
      const label = `${rowsLabel(result.rows)}, ${result.columns}`;
      const isLargest = result === largest;
      figures.push({
        name: `${label}: identifiers/s`,
        value: Number((rate(result) / 1e6).toFixed(3)),
        unit: 'M ids/s',
        ...(isLargest ? { target: { op: '>=' as const, value: 1.5 } } : {}),
        detail:
          `${run.counts.valid.toLocaleString('en')} valid identifiers (${run.counts.uploaded.toLocaleString('en')} sent) in ` +
          `${run.seconds.toFixed(1)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU (all threads), ` +
          `${run.counts.files} file(s)`,
      });
      figures.push({
        name: `${label}: peak RSS of the exporting process`,
        value: Math.round(run.peakRss / MB),
        unit: 'MB',
        ...(isLargest ? { target: { op: '<=' as const, value: 256 } } : {}),
        detail: `idle ${Math.round(run.idleRss / MB)} MB`,
      });
    }
    const oneMillion = results.find((result) => result.columns === 'email' && result.rows === 1_000_000);
    if (oneMillion && largest !== oneMillion)
      figures.push({
        name: '10 M ÷ 1 M peak RSS',
        value: Number((largest.run.peakRss / oneMillion.run.peakRss).toFixed(2)),
        unit: '×',
        target: { op: '<=', value: 1.2 },
        detail: 'flat memory: within 20 % of the 1 M run',
      });
    figures.push({
      name: 'ours ÷ peer baseline (section 2)',
      value: peer ? Number((rate(largest) / peer.identifiersPerSecond).toFixed(2)) : null,
      unit: '×',
      target: { op: '>=', value: 5 },
      detail: peer
        ? 'largest email run ÷ the naive pipeline on the same emails'
        : `section 2 has not measured ${rowsLabel(largest.rows)} (npm run bench runs it first)`,
    });
  } finally {
    emulator.child.kill('SIGKILL');
  }
  return figures;
}

if (require.main === module)
  run().then(
    (figures) => reportBench('3. Ours end to end: segment → export → emulator process', 3, figures),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
