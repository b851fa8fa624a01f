import { redisServerAvailable } from '../test/chaos/own-services';
import { run as apiBench } from './api.bench';
import { run as quotaBench } from './quota.bench';

// The benches of sections 4 and 5 (`npm run bench`) on tiny sizes, so that `npm test` proves they
// still run end to end (apps from dist, seeding, load, figures), not how fast: BENCH_SMOKE sizes.
// npm test runs it in its second pass, after its one build (scripts/test.mjs).

const postgres = !!process.env['DATABASE_URL'];
const quotaRunnable = postgres && redisServerAvailable();
if (!quotaRunnable)
  console.warn(
    'Quota bench smoke SKIPPED: it needs PostgreSQL (DATABASE_URL) and redis-server on PATH (BullMQ workers).',
  );

describe('benchmarks, smoke (tiny sizes: they run, not how fast)', () => {
  it(`the API bench measures Conduit and bare NestJS on ${postgres ? 'PostgreSQL' : 'SQLite'}`, async () => {
    const figures = await apiBench({
      destinations: 100,
      exports: 1_000,
      seconds: 1,
      warmupSeconds: 0,
      databases: [postgres ? 'postgres' : 'sqlite'],
    });
    const label = postgres ? 'PostgreSQL' : 'SQLite';
    expect(figures.map((figure) => figure.name)).toEqual([
      `${label}: bare NestJS p99 at 500 req/s`,
      `${label}: bare NestJS peak`,
      ...['GET /companies/me', 'GET /destinations', 'GET /exports/:id'].flatMap((route) => [
        `${label}: ${route} p99 at 500 req/s`,
        `${label}: ${route} peak`,
      ]),
    ]);
    // Measured, not judged: one second on a machine busy with other suites may serve no request of a
    // route (a peak of 0), and a p99 may round to 0 ms. The figures exist and are numbers; the routes
    // answered at all (some requests served).
    for (const figure of figures) {
      expect(Number.isFinite(figure.value)).toBe(true);
      expect(figure.value).toBeGreaterThanOrEqual(0);
    }
    expect(
      figures.filter((figure) => figure.name.endsWith('peak')).some((figure) => (figure.value ?? 0) > 0),
    ).toBe(true);
  }, 240_000);

  (quotaRunnable ? it : it.skip)(
    'the quota bench runs exports through two workers and the emulator',
    async () => {
      const figures = await quotaBench({ companies: 1, exportsPerCompany: 2, identifiers: 1500 });
      const [rate, rejections, completed] = figures;
      expect(rate?.value).toBeGreaterThan(0);
      expect(rejections?.value).toBe(0);
      expect(completed?.value).toBe(2);
    },
    240_000,
  );
});
