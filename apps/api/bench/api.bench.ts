import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchSmoke, reportBench, type BenchFigure } from '@conduit/bench';
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { ChaosWorld } from '../test/chaos/chaos-world';
import { DIST, GiveUp, waitFor } from '../test/chaos/conduit-processes';
import { freePort, redisServerAvailable } from '../test/chaos/own-services';
import { prepareTenant, ROOT, spawnQuiet, stopProcess, untilHealthy } from './bench-flows';
import { postgresServerUrl, seedCopies } from './bench-seed';

// Section 5, API (issue 14): p50 / p99 / throughput of GET /companies/me, GET /destinations and
// GET /exports/:id, with 10 k destinations and 100 k exports seeded, on SQLite and on PostgreSQL (+
// Redis), at a fixed 500 requests/s and at saturation (50 connections), beside a bare NestJS app
// answering the same JSON in the same run. The API runs from dist as its own process with its
// defaults (LOG_LEVEL info; its per-key rate limits raised out of the way but still counted).
// Targets: p99 at 500 req/s within 1.5× of bare NestJS; peak throughput ≥ 40 % of bare NestJS.
//
// `API_BENCH_DATABASES=sqlite` (or postgres) narrows it; `API_BENCH_CPU_PROF=<dir>` writes the API
// process's CPU profile there (`node --cpu-prof`); `API_BENCH_SECONDS` is each run's length;
// `API_BENCH_ROUTES=companies` measures the routes whose name contains it (profiling one route).

export interface ApiBenchOptions {
  destinations: number;
  exports: number;
  /** Length of each measured run. */
  seconds: number;
  /** Saturation before the first run of each process (JIT, pools); 0 for none. */
  warmupSeconds: number;
  databases: ('sqlite' | 'postgres')[];
  cpuProfDir?: string;
}

export function apiBenchOptions(): ApiBenchOptions {
  const smoke = benchSmoke();
  const databases = (process.env['API_BENCH_DATABASES'] ?? (smoke ? 'sqlite' : 'sqlite,postgres'))
    .split(',')
    .filter((kind): kind is 'sqlite' | 'postgres' => kind === 'sqlite' || kind === 'postgres');
  return {
    destinations: smoke ? 100 : 10_000,
    exports: smoke ? 1_000 : 100_000,
    seconds: Number(process.env['API_BENCH_SECONDS'] ?? (smoke ? 1 : 6)),
    warmupSeconds: smoke ? 0 : 1,
    databases,
    cpuProfDir: process.env['API_BENCH_CPU_PROF'],
  };
}

const FIXED_RATE = 500;
const SATURATION_CONNECTIONS = 50;
/** Per-key limits at their maximum: the guard still counts every request, and never refuses one. */
const RATE_LIMITS_OUT_OF_THE_WAY = {
  API_RATE_LIMIT_PER_SECOND: '100000',
  API_RATE_LIMIT_PER_MINUTE: '6000000',
};

interface Load {
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx answers, errors and timeouts: any is a broken measurement. */
  failures: number;
}

async function load(
  url: string,
  apiKey: string | undefined,
  connections: number,
  seconds: number,
  rate?: number,
) {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  } satisfies Load;
}

/** A warm-up at saturation, then the fixed rate, then saturation. */
async function measure(url: string, apiKey: string | undefined, options: ApiBenchOptions) {
  if (options.warmupSeconds) await load(url, apiKey, SATURATION_CONNECTIONS, options.warmupSeconds);
  const fixed = await load(url, apiKey, 10, options.seconds, FIXED_RATE);
  const peak = await load(url, apiKey, SATURATION_CONNECTIONS, options.seconds);
  return { fixed, peak };
}

const ms = (value: number) => Math.round(value * 100) / 100;
const rounded = (value: number) => Math.round(value);

async function measureDatabase(
  kind: 'sqlite' | 'postgres',
  options: ApiBenchOptions,
): Promise<BenchFigure[]> {
  const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const serverUrl = kind === 'postgres' ? await postgresServerUrl() : undefined;
  if (kind === 'postgres' && (!serverUrl || !redisServerAvailable()))
    return [
      {
        name: `${label}: all figures`,
        value: null,
        unit: '',
        detail: 'SKIPPED: needs PostgreSQL (DATABASE_URL or 127.0.0.1:5432) and redis-server on PATH',
      },
    ];
  const say = (text: string) => process.stderr.write(`[api bench ${label}] ${text}\n`);
  const world = await ChaosWorld.start({
    label: `bench_api_${kind}`,
    database: serverUrl ? { kind: 'postgres', serverUrl } : { kind: 'sqlite' },
    // On PostgreSQL jobs run on BullMQ workers: one materializes the segment and sends the export, then
    // stops before the load starts.
    workers: serverUrl ? 1 : 0,
    env: RATE_LIMITS_OUT_OF_THE_WAY,
    emulatorEnv: { TIKTOK_EMULATOR_PROCESSING_DELAY_MS: '0' },
  });
  const folder = mkdtempSync(join(tmpdir(), 'conduit-api-bench-'));
  const processes: ChildProcess[] = [];
  try {
    const emails = Array.from({ length: 1000 }, (_, index) => `bench-${index}@example.com`);
    const tenant = await prepareTenant(world, 'Bench API', emails);
    const exported = await world.expect<{ id: string }>(
      202,
      tenant.apiKey,
      'POST',
      `${tenant.segmentsPath}/${tenant.segmentId}/exports`,
      { destinationId: tenant.destinationId, overrides: { audienceName: 'Bench API audience' } },
    );
    // Let it be sent (by the API on SQLite, the worker on PostgreSQL): nothing but the load runs while
    // the bench measures.
    await waitFor(
      'the export to be sent',
      async () => {
        const view = await world.expect<{ status: string }>(
          200,
          tenant.apiKey,
          'GET',
          `/exports/${exported.id}`,
        );
        if (view.status === 'FAILED') throw new GiveUp(`export ${exported.id} FAILED`);
        // PROCESSING: sent, waiting for TikTok (a scheduler would follow it; none runs here).
        return ['PROCESSING', 'COMPLETED'].includes(view.status) ? true : undefined;
      },
      { timeoutMs: 60_000, context: () => world.lastOutput },
    );
    await Promise.all([world.api, ...world.workers].map((process) => process.stop()));

    const seedStarted = Date.now();
    await seedCopies({
      sqlitePath:
        kind === 'sqlite' ? join(world.env['CONDUIT_DATA_DIR'] as string, 'conduit.sqlite') : undefined,
      postgresUrl: world.database?.url,
      destinationId: tenant.destinationId,
      exportId: exported.id,
      destinations: options.destinations - 1,
      exports: options.exports - 1,
    });
    say(
      `seeded ${options.destinations} destinations, ${options.exports} exports in ${Date.now() - seedStarted} ms`,
    );

    // The API as it runs in production: its own process from dist, its defaults (LOG_LEVEL info).
    const { LOG_LEVEL: _quiet, ...apiEnv } = world.env;
    const apiPort = await freePort();
    const apiLog = join(folder, 'api.log');
    const api = spawnQuiet(
      DIST.api,
      { ...apiEnv, PORT: String(apiPort), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${apiPort}` },
      apiLog,
      options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [],
    );
    processes.push(api);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await untilHealthy(`${apiUrl}/health`, () => `see ${apiLog}`);
    const company = await (
      await fetch(`${apiUrl}/companies/me`, { headers: { authorization: `Bearer ${tenant.apiKey}` } })
    ).text();

    const barePort = await freePort();
    const bare = spawnQuiet(
      join(ROOT, 'apps', 'api', 'bench', 'bare-nest.ts'),
      { PATH: process.env['PATH'] ?? '', BARE_NEST_PORT: String(barePort), BARE_NEST_BODY: company },
      join(folder, 'bare.log'),
      ['-r', join(ROOT, 'tools', 'swc-register.cjs')],
    );
    processes.push(bare);
    const bareUrl = `http://127.0.0.1:${barePort}/companies/me`;
    await untilHealthy(bareUrl, () => `see ${join(folder, 'bare.log')}`);

    const baseline = await measure(bareUrl, undefined, options);
    await stopProcess(bare);
    say(
      `bare NestJS: ${rounded(baseline.peak.rps)} req/s peak, p99 ${baseline.fixed.p99} ms at ${FIXED_RATE}/s`,
    );
    const figures: BenchFigure[] = [
      {
        name: `${label}: bare NestJS p99 at ${FIXED_RATE} req/s`,
        value: ms(baseline.fixed.p99),
        unit: 'ms',
        detail: `p50 ${ms(baseline.fixed.p50)} ms`,
      },
      {
        name: `${label}: bare NestJS peak`,
        value: rounded(baseline.peak.rps),
        unit: 'req/s',
        detail: `p99 ${ms(baseline.peak.p99)} ms at ${SATURATION_CONNECTIONS} connections`,
      },
    ];
    const failures: string[] = [];
    for (const [name, path] of [
      ['GET /companies/me', '/companies/me'],
      ['GET /destinations', '/destinations'],
      ['GET /exports/:id', `/exports/${exported.id}`],
    ] as const) {
      if (!name.includes(process.env['API_BENCH_ROUTES'] ?? '')) continue;
      const run = await measure(`${apiUrl}${path}`, tenant.apiKey, options);
      say(`${name}: ${rounded(run.peak.rps)} req/s peak, p99 ${run.fixed.p99} ms at ${FIXED_RATE}/s`);
      if (run.fixed.failures || run.peak.failures)
        failures.push(`${name}: ${run.fixed.failures + run.peak.failures} non-2xx/errors`);
      figures.push(
        {
          name: `${label}: ${name} p99 at ${FIXED_RATE} req/s`,
          value: ms(run.fixed.p99),
          unit: 'ms',
          target: { op: '<=', value: ms(1.5 * baseline.fixed.p99) },
          detail: `p50 ${ms(run.fixed.p50)} ms, ${rounded(run.fixed.rps)} req/s achieved; 1.5× bare`,
        },
        {
          name: `${label}: ${name} peak`,
          value: rounded(run.peak.rps),
          unit: 'req/s',
          target: { op: '>=', value: rounded(0.4 * baseline.peak.rps) },
          detail: `p99 ${ms(run.peak.p99)} ms at ${SATURATION_CONNECTIONS} connections; 40 % of bare`,
        },
      );
    }
    if (failures.length) throw new Error(`Broken measurement (see ${apiLog}): ${failures.join('; ')}`);
    return figures;
  } finally {
    await Promise.all(processes.map((child) => stopProcess(child)));
    await world.close();
    if (!options.cpuProfDir) rmSync(folder, { recursive: true, force: true });
  }
}

export async function run(options: ApiBenchOptions = apiBenchOptions()): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const crashes: unknown[] = [];
  for (const kind of options.databases)
    try {
      figures.push(...(await measureDatabase(kind, options)));
    } catch (error) {
      // The other database's figures still count; the bench fails at the end.
      crashes.push(error);
      figures.push({ name: `${kind}: CRASHED`, value: null, unit: '', detail: String(error).slice(0, 200) });
    }
  if (crashes.length)
    throw Object.assign(new Error(`${crashes.length} database(s) crashed`), { figures, crashes });
  return figures;
}

if (require.main === module)
  run()
    .then((figures) => reportBench('5. API', 5, figures))
    .catch((error: unknown) => {
      const { figures, crashes } = error as { figures?: BenchFigure[]; crashes?: unknown[] };
      for (const crash of crashes ?? [error]) console.error(crash);
      if (figures) reportBench('5. API', 5, figures);
      process.exitCode = 1;
    });
