import { benchSmoke, reportBench, type BenchFigure } from '@conduit/bench';
import { ChaosWorld } from '../test/chaos/chaos-world';
import { GiveUp, waitFor } from '../test/chaos/conduit-processes';
import { redisServerAvailable } from '../test/chaos/own-services';
import { prepareTenant, type BenchTenant } from './bench-flows';
import { postgresServerUrl } from './bench-seed';

// Section 4, Quota (issue 14): 50 small exports (1,500 identifiers each, ~1,180 matched: TikTok refuses smaller
// audiences) of 5 companies through 2 BullMQ scheduler worker processes, against the TikTok emulator
// as its own process enforcing TikTok's Basic tier, 10 QPS / 600 QPM (its and Conduit's defaults).
// Every process keeps its defaults (job slots, per-company slots, TikTok limits). Figures, from the
// emulator's request log: requests/s TikTok received while the exports were being sent (from its
// first call to the last export reaching PROCESSING), as a share of 10 QPS (target ≥ 90 %), and its
// rate-limit rejections (code 40100, target 0). PostgreSQL + Redis only (BullMQ workers).

export interface QuotaBenchOptions {
  companies: number;
  exportsPerCompany: number;
  identifiers: number;
}

export function quotaBenchOptions(): QuotaBenchOptions {
  return benchSmoke()
    ? { companies: 1, exportsPerCompany: 2, identifiers: 1500 }
    : { companies: 5, exportsPerCompany: 10, identifiers: 1500 };
}

const QPS = 10;

interface ExportView {
  id: string;
  status: string;
  error: unknown;
}

interface LoggedCall {
  path: string;
  code: number | null;
  at: string;
}

export async function run(options: QuotaBenchOptions = quotaBenchOptions()): Promise<BenchFigure[]> {
  const serverUrl = await postgresServerUrl();
  if (!serverUrl || !redisServerAvailable())
    return [
      {
        name: 'requests/s to TikTok',
        value: null,
        unit: 'req/s',
        target: { op: '>=', value: 0.9 * QPS },
        detail: 'SKIPPED: needs PostgreSQL (DATABASE_URL or 127.0.0.1:5432) and redis-server on PATH',
      },
    ];
  const say = (text: string) => process.stderr.write(`[quota bench] ${text}\n`);
  const world = await ChaosWorld.start({
    label: 'bench_quota',
    database: { kind: 'postgres', serverUrl },
    workers: 2,
    // The bench's own polling of the API must not meet the per-key limits; TikTok's are the subject.
    env: { API_RATE_LIMIT_PER_SECOND: '0', API_RATE_LIMIT_PER_MINUTE: '0' },
    // TikTok's own minimum audience size (ChaosWorld lowers it for its small suites).
    emulatorEnv: { TIKTOK_EMULATOR_MIN_UPDATE_SIZE: '1000', TIKTOK_EMULATOR_MIN_VALID_SIZE: '1000' },
  });
  try {
    const tenants: BenchTenant[] = [];
    for (let company = 0; company < options.companies; company++) {
      const emails = Array.from(
        { length: options.identifiers },
        (_, index) => `quota-${company}-${index}@example.com`,
      );
      tenants.push(await prepareTenant(world, `Quota ${company}`, emails));
    }
    await world.emulatorAdmin('/requests', { method: 'DELETE' });

    const startedAt = Date.now();
    const asked: { tenant: BenchTenant; id: string }[] = [];
    for (let round = 0; round < options.exportsPerCompany; round++)
      for (const [company, tenant] of tenants.entries()) {
        const accepted = await world.expect<{ id: string }>(
          202,
          tenant.apiKey,
          'POST',
          `${tenant.segmentsPath}/${tenant.segmentId}/exports`,
          {
            destinationId: tenant.destinationId,
            overrides: { audienceName: `Quota ${company} audience ${round}` },
          },
        );
        asked.push({ tenant, id: accepted.id });
      }
    const total = asked.length;
    say(`${total} exports queued in ${Date.now() - startedAt} ms`);

    let sentAt: number | undefined;
    const statuses = await waitFor(
      'every export to complete',
      async () => {
        const views = new Map<string, ExportView>();
        for (const tenant of tenants) {
          const page = await world.expect<{ data: ExportView[] }>(
            200,
            tenant.apiKey,
            'GET',
            `/destinations/${tenant.destinationId}/exports?limit=100`,
          );
          for (const view of page.data) views.set(view.id, view);
        }
        const found = asked.map(({ id }) => views.get(id));
        const failed = found.find((view) => view?.status === 'FAILED' || view?.status === 'CANCELLED');
        if (failed)
          throw new GiveUp(`export ${failed.id} ended ${failed.status}: ${JSON.stringify(failed.error)}`);
        if (
          sentAt === undefined &&
          found.every((view) => view && !['QUEUED', 'RUNNING'].includes(view.status))
        )
          sentAt = Date.now();
        return found.every((view) => view?.status === 'COMPLETED') ? found : undefined;
      },
      { timeoutMs: 600_000, everyMs: 250, context: () => world.lastOutput },
    );
    const completedAt = Date.now();
    const { requests } = await world.emulatorAdmin<{ requests: LoggedCall[] }>('/requests');
    const times = requests.map((call) => Date.parse(call.at)).sort((a, b) => a - b);
    const first = times[0] ?? startedAt;
    // The sending phase: TikTok's calls until the last export reached PROCESSING (the status checks
    // that follow are paced by TikTok's processing, not by the quota).
    const sending = times.filter((at) => at <= (sentAt ?? completedAt));
    const sendingSeconds = Math.max(0.001, ((sending.at(-1) ?? first) - first) / 1000);
    const rate = sending.length > 1 ? (sending.length - 1) / sendingSeconds : 0;
    const throttled = requests.filter((call) => call.code === 40100).length;
    const byPath = new Map<string, number>();
    for (const call of requests) byPath.set(call.path, (byPath.get(call.path) ?? 0) + 1);
    say(
      `TikTok calls: ${[...byPath].map(([path, count]) => `${path} ${count}`).join(', ')}; ` +
        `sending ${sendingSeconds.toFixed(1)} s, all COMPLETED after ${((completedAt - startedAt) / 1000).toFixed(1)} s`,
    );
    const ratePerCall = (requests.length / total).toFixed(1);
    return [
      {
        name: 'requests/s to TikTok',
        value: Math.round(rate * 100) / 100,
        unit: 'req/s',
        target: { op: '>=', value: 0.9 * QPS },
        detail: `${Math.round((100 * rate) / QPS)} % of ${QPS} QPS: ${sending.length} calls in ${sendingSeconds.toFixed(1)} s of sending`,
      },
      {
        name: 'rate-limit rejections by TikTok (40100)',
        value: throttled,
        unit: '',
        target: { op: '<=', value: 0 },
      },
      {
        name: 'exports completed',
        value: statuses.filter((view) => view?.status === 'COMPLETED').length,
        unit: `of ${total}`,
        detail: `${options.companies} companies, 2 workers, ${options.identifiers} identifiers each, ${ratePerCall} TikTok calls per export, ${((completedAt - startedAt) / 1000).toFixed(0)} s to COMPLETED`,
      },
    ];
  } finally {
    await world.close();
  }
}

if (require.main === module)
  run()
    .then((figures) => reportBench('4. Quota', 4, figures))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
