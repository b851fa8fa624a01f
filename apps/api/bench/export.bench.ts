import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchSmoke, reportBench, type BenchFigure } from '@conduit/bench';
import {
  BENCH_DATA,
  benchEmail,
  benchMaid,
  benchPhone,
  PEER_FIGURE,
  type BenchColumns,
} from '@conduit/bench/identifiers';
import Database from 'libsql';
import { ADVERTISER, ChaosWorld } from '../test/chaos/chaos-world';
import { GiveUp, waitFor } from '../test/chaos/conduit-processes';

// Section 3, ours end to end, the real export job: Conduit as `npm start` runs it (the API from dist
// on SQLite, jobs in its process; a scheduler beside it) with the TikTok emulator as its own process.
// A company registers a generated CRM (a SQLite data source of N customers, seeded), makes a SQL
// segment of it (materialized by Conduit, not timed) and exports it to TikTok (Create). Timed: from
// the export's request to the audience created (the export no longer RUNNING), with the API process's
// CPU time (all its threads, from /proc) and its resident set sampled every 100 ms, the API restarted
// before each export so that its memory is the export's. 100 k, 1 M and
// 10 M emails show how time and memory grow; 1 M customers with email, phone and MAID (MULTIPLE_TYPES)
// show the cost of phones.

export interface ExportBenchRun {
  rows: number;
  columns: BenchColumns;
}

const RUNS: ExportBenchRun[] = benchSmoke()
  ? [
      { rows: 3_000, columns: 'email' },
      { rows: 1_500, columns: 'email+phone+maid' },
    ]
  : [
      { rows: 100_000, columns: 'email' },
      { rows: 1_000_000, columns: 'email' },
      { rows: 10_000_000, columns: 'email' },
      { rows: 1_000_000, columns: 'email+phone+maid' },
    ];

const KEY_COLUMNS = {
  email: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
  'email+phone+maid': [
    { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
    { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
    { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
  ],
} as const;

const MB = 2 ** 20;
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** A CRM of `rows` generated customers (SQLite), made once under tmp/bench-data and reused. */
function benchCrm(rows: number): string {
  const file = join(BENCH_DATA, `crm-${rows}.sqlite`);
  if (existsSync(file)) return file;
  mkdirSync(BENCH_DATA, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const db = new Database(temporary);
  try {
    db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, phone TEXT, maid TEXT)');
    const insert = db.prepare('INSERT INTO customers (id, email, phone, maid) VALUES (?, ?, ?, ?)');
    for (let start = 0; start < rows; start += 100_000) {
      db.exec('BEGIN');
      for (let n = start; n < Math.min(rows, start + 100_000); n++)
        insert.run(n + 1, benchEmail(n), benchPhone(n), benchMaid(n));
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
  renameSync(temporary, file);
  return file;
}

/** CPU seconds a process has used (user + system, every thread), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

interface RunResult {
  run: ExportBenchRun;
  seconds: number;
  cpuSeconds: number;
  peakRss: number;
  idleRss: number;
  valid: number;
  sent: number;
  received: number;
}

/** The section's figures for `runs` (100 k, 1 M and 10 M emails, 1 M customers with three keys by default). */
export async function run(
  runs: readonly ExportBenchRun[] = RUNS,
  options: {
    /** Added to the API's environment (e.g. NODE_OPTIONS=--require a profiler). */
    apiEnv?: Record<string, string>;
    /** Told when each export starts and ends, with the API's pid (e.g. to signal a profiler). */
    onExport?: (moment: 'start' | 'end', pid: number) => void;
  } = {},
): Promise<BenchFigure[]> {
  // The CRMs first: writing one blocks this process (an idle keep-alive connection to the API would
  // time out meanwhile).
  const crms = new Map(runs.map((run) => [run.rows, benchCrm(run.rows)]));
  const world = await ChaosWorld.start({
    label: 'bench-export',
    database: { kind: 'sqlite' },
    // A scheduler beside the API, as `npm start` runs it (it follows exports TikTok is processing).
    workers: 1,
    emulatorEnv: { TIKTOK_EMULATOR_PROCESSING_DELAY_MS: '100' },
    ...(options.apiEnv ? { env: options.apiEnv } : {}),
  });
  const results: RunResult[] = [];
  try {
    const { companyId, apiKey } = world.company('Bench Brand');
    const authorizationId = await world.connectTikTok(apiKey, 'Bench TikTok');
    const collaboration = await world.expect<{ id: string }>(201, apiKey, 'POST', '/collaborations', {
      name: 'Bench',
    });
    const sources = join(world.env['CONDUIT_DATA_DIR'] as string, 'data-sources', companyId);
    mkdirSync(sources, { recursive: true });
    for (const [index, run] of runs.entries()) {
      const file = `crm-${run.rows}.sqlite`;
      if (!existsSync(join(sources, file))) {
        // A hard link when on the same file system (a 10 M CRM is ~1 GB); a copy otherwise.
        const crm = crms.get(run.rows) as string;
        try {
          linkSync(crm, join(sources, file));
        } catch {
          copyFileSync(crm, join(sources, file));
        }
      }
      const dataSource = await world.expect<{ id: string }>(201, apiKey, 'POST', '/data-sources', {
        name: `CRM ${run.rows} (${index})`,
        kind: 'SQLITE',
        path: file,
      });
      const segmentsPath = `/collaborations/${collaboration.id}/segments`;
      const columns = KEY_COLUMNS[run.columns].map((key) => key.column).join(', ');
      const segment = await world.expect<{ id: string }>(201, apiKey, 'POST', segmentsPath, {
        name: `Bench ${run.columns} ${run.rows}`,
        source: { type: 'sql', dataSourceId: dataSource.id, query: `SELECT ${columns} FROM customers` },
        keyColumns: KEY_COLUMNS[run.columns],
      });
      const materializing = performance.now();
      await waitFor(
        `segment ${segment.id} to be READY`,
        async () => {
          const { body } = await world.call<{ status: string; lastError?: unknown }>(
            apiKey,
            'GET',
            `${segmentsPath}/${segment.id}`,
          );
          if (body.status === 'FAILED') throw new GiveUp(`The segment failed: ${JSON.stringify(body)}`);
          return body.status === 'READY' ? true : undefined;
        },
        { timeoutMs: 900_000, everyMs: 250, context: () => world.lastOutput },
      );
      console.error(
        `${run.columns} ${run.rows}: segment materialized in ${((performance.now() - materializing) / 1000).toFixed(1)} s`,
      );
      const destination = await world.expect<{ id: string }>(201, apiKey, 'POST', '/destinations', {
        name: `Bench TikTok ${index}`,
        provider: 'tiktok',
        authorizationId,
        config: {
          advertiserId: ADVERTISER,
          audienceName: `Bench ${index} ${run.rows}`,
          action: 'Create',
        },
      });

      // A fresh API process for the export: its resident set is then the export's, not what the
      // materializations before it left in the heap.
      await world.api.stop();
      world.api.start();
      await waitFor('the API to answer /health again', async () =>
        (await fetch(`${world.apiUrl}/health`).then(
          (answer) => answer.ok,
          () => false,
        ))
          ? true
          : undefined,
      );
      const pid = world.api.pid as number;
      const idleRss = world.api.rss ?? 0;
      let peakRss = idleRss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, world.api.rss ?? 0)), 100);
      options.onExport?.('start', pid);
      const cpuBefore = cpuSeconds(pid);
      const started = performance.now();
      const created = await world.expect<{ id: string }>(
        202,
        apiKey,
        'POST',
        `${segmentsPath}/${segment.id}/exports`,
        { destinationId: destination.id },
      );
      const exported = await waitFor(
        `export ${created.id} to create its audience`,
        async () => {
          const { body } = await world.call<{
            status: string;
            counts?: { valid: number; uploaded: number };
            references?: { id: string }[];
          }>(apiKey, 'GET', `/exports/${created.id}`);
          if (body.status === 'FAILED') throw new GiveUp(`The export failed: ${JSON.stringify(body)}`);
          return ['PROCESSING', 'COMPLETED'].includes(body.status) ? body : undefined;
        },
        { timeoutMs: 900_000, everyMs: 100, context: () => world.lastOutput },
      );
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const cpu = cpuSeconds(pid) - cpuBefore;
      options.onExport?.('end', pid);
      if (process.env['BENCH_EXPORT_EVENTS'] === '1') {
        const { body } = await world.call<{ data: { type: string; message: string; at: string }[] }>(
          apiKey,
          'GET',
          `/exports/${created.id}/events?limit=100`,
        );
        for (const event of body.data ?? [])
          console.error(`  ${event.at} ${event.type} ${event.message.slice(0, 120)}`);
      }
      const audienceId = exported.references?.[0]?.id;
      const audience = await world.emulatorAdmin<{ identifiers: Record<string, { count: number }> }>(
        `/audiences/${audienceId}`,
      );
      const received = Object.values(audience.identifiers).reduce((sum, entry) => sum + entry.count, 0);
      const sent = exported.counts?.uploaded ?? 0;
      if (received !== sent)
        throw new Error(`The emulator holds ${received} identifiers; the export says it sent ${sent}.`);
      results.push({
        run,
        seconds,
        cpuSeconds: cpu,
        peakRss,
        idleRss,
        valid: exported.counts?.valid ?? 0,
        sent,
        received,
      });
      console.error(
        `${run.columns} ${run.rows}: exported in ${seconds.toFixed(1)} s, ${cpu.toFixed(1)} s CPU`,
      );
    }
  } finally {
    await world.close();
  }
  return figuresOf(results);
}

function figuresOf(results: RunResult[]): BenchFigure[] {
  const label = (run: ExportBenchRun) =>
    `${run.rows >= 1e6 ? `${run.rows / 1e6} M` : `${run.rows / 1e3} k`} ${run.columns === 'email' ? 'emails' : 'customers × email, phone, MAID'}`;
  // Identifiers read (valid or not) per second, as section 2 counts them.
  const rate = (result: RunResult) =>
    (result.run.rows * KEY_COLUMNS[result.run.columns].length) / result.seconds;
  const emails = results.filter((result) => result.run.columns === 'email');
  const largest = emails.at(-1);
  const oneMillion = emails.find((result) => result.run.rows === 1_000_000);
  const figures: BenchFigure[] = [];
  for (const result of results) {
    const isLargest = result === largest;
    figures.push({
      name: `${label(result.run)}: identifiers/s`,
      value: Number((rate(result) / 1e6).toFixed(3)),
      unit: 'M ids/s',
      ...(isLargest ? { target: { op: '>=' as const, value: 1.5 } } : {}),
      detail:
        `${result.seconds.toFixed(1)} s wall, ${result.cpuSeconds.toFixed(1)} s CPU (API process, all threads); ` +
        `${result.valid.toLocaleString('en')} valid, ${result.sent.toLocaleString('en')} sent and received`,
    });
    figures.push({
      name: `${label(result.run)}: peak RSS of the exporting process`,
      value: Math.round(result.peakRss / MB),
      unit: 'MB',
      ...(isLargest ? { target: { op: '<=' as const, value: 256 } } : {}),
      detail: `the API process (jobs run in it); ${Math.round(result.idleRss / MB)} MB before the export`,
    });
  }
  if (largest && oneMillion && largest !== oneMillion)
    figures.push({
      name: `${label(largest.run)} ÷ 1 M emails: peak RSS`,
      value: Number((largest.peakRss / oneMillion.peakRss).toFixed(2)),
      unit: '×',
      target: { op: '<=', value: 1.2 },
      detail: 'flat memory: within 20 % of the 1 M run',
    });
  if (largest) {
    const written = existsSync(PEER_FIGURE)
      ? (JSON.parse(readFileSync(PEER_FIGURE, 'utf8')) as { rows: number; identifiersPerSecond: number })
      : undefined;
    const peer = written?.rows === largest.run.rows ? written : undefined;
    figures.push({
      name: 'ours ÷ peer baseline (section 2)',
      value: peer ? Number((rate(largest) / peer.identifiersPerSecond).toFixed(2)) : null,
      unit: '×',
      target: { op: '>=', value: 5 },
      detail: peer
        ? `${label(largest.run)} ÷ the naive pipeline on the same emails`
        : `section 2 has not measured ${label(largest.run)} (npm run bench runs it first)`,
    });
  }
  return figures;
}

if (require.main === module)
  run().then(
    (figures) => reportBench('3. Ours end to end: the export job, segment → TikTok emulator', 3, figures),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
