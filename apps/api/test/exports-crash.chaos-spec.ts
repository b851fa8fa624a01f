import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { startTikTokEmulator, xorDigest, type RunningEmulator } from '@conduit/tiktok-emulator';
import { bearer, bootApi, type ApiHarness } from './api-harness';
import { ADVERTISERS, APP, connectTikTok, tiktokEnv } from './tiktok-world';

// Workers die mid-export and the export still ends with exactly its identifiers in exactly one
// audience. Real processes: the built scheduler (BullMQ worker) is SIGKILLed at a chosen TikTok call,
// another one is started, and it resumes the run from the database once the dead one's heartbeat is
// silent. The API (enqueue only) and the TikTok emulator run in this process.

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) console.warn('Export crash suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');

const root = resolve(__dirname, '..', '..', '..');
const SCHEDULER = join(root, 'dist', 'apps', 'scheduler', 'src', 'main.js');
const STUCK_AFTER_SECONDS = 3;
const [ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const emails = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@example.com`);

/** The TikTok calls a worker is killed right after (the answer logged, maybe not yet recorded). */
const KILL_POINTS = [
  { label: 'the credentials check, before any upload', path: '/user/info/' },
  { label: 'the file upload, before its checkpoint', path: '/dmp/custom_audience/file/upload/' },
  { label: 'the create call, before the audience id was recorded', path: '/dmp/custom_audience/create/' },
];

(redisUrl ? describe : describe.skip)('exports survive killed workers (real processes)', () => {
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let workerEnv: Record<string, string>;
  const workers = new Set<ChildProcess>();
  const recoveries: number[] = [];

  beforeAll(async () => {
    // The scheduler runs from the build, as in production.
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
    const prefix = `conduit-crash-${randomBytes(4).toString('hex')}`;
    tiktok = await startTikTokEmulator({
      apps: [APP],
      advertisers: ADVERTISERS,
      minValidAudienceSize: 1,
      minAudienceSizeAfterUpdate: 1,
      rateLimit: { perSecond: 1000, perMinute: 100_000 },
    });
    // Slow answers: a kill lands while the worker waits for TikTok.
    tiktok.emulator.configureFaults({ latencyMs: 150 });
    const env = { ...tiktokEnv(tiktok), REDIS_URL: redisUrl as string, CONDUIT_QUEUE_PREFIX: prefix };
    api = await bootApi({ env });
    workerEnv = {
      PATH: process.env['PATH'] ?? '',
      ...api.db.env,
      ...env,
      CONDUIT_ENCRYPTION_KEYS: process.env['CONDUIT_ENCRYPTION_KEYS'] as string,
      EXPORT_STUCK_AFTER_SECONDS: String(STUCK_AFTER_SECONDS),
      // A killed worker's per-company slot stays leased for a minute (tenant slots): with three slots
      // per company the resume need not wait for it, only for the heartbeat timeout.
      JOB_CONCURRENCY: '4',
      EXPORT_MAINTENANCE_SECONDS: '1',
      SEGMENT_MAINTENANCE_SECONDS: '3600',
      LOG_LEVEL: 'warn',
    };
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await api?.close();
    await tiktok?.close();
    if (recoveries.length > 0) {
      process.stdout.write(
        `export crashes: ${recoveries.length} workers killed, every export exact and in one audience, ` +
          `longest recovery ${Math.max(...recoveries)} ms (heartbeat timeout ${STUCK_AFTER_SECONDS} s)\n`,
      );
    }
  });

  function startWorker(): ChildProcess {
    const worker = spawn(process.execPath, [SCHEDULER], { cwd: root, env: workerEnv, stdio: 'ignore' });
    workers.add(worker);
    worker.on('exit', () => workers.delete(worker));
    return worker;
  }

  /**
   * A company of its own per kill: a killed worker's per-company job slot stays leased for a minute
   * (tenant slots), and one case's dead leases must not hold up the next case.
   */
  async function tenant(name: string) {
    const company = await api.seedCompany(name);
    const authorizationId = await connectTikTok(api, tiktok, company, `${name} TikTok`);
    const collaborationId = (
      await api.http.post('/collaborations').set(bearer(company.apiKey)).send({ name }).expect(201)
    ).body.id;
    const destinationId = (
      await api.http
        .post('/destinations')
        .set(bearer(company.apiKey))
        .send({
          name: `${name}, under fire`,
          provider: 'tiktok',
          authorizationId,
          config: { advertiserId: ADVERTISER, audienceName: `${name} audience`, action: 'Create' },
        })
        .expect(201)
    ).body.id;
    return { company, segments: `/collaborations/${collaborationId}/segments`, destinationId };
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it.each(KILL_POINTS)(
    'kills the worker right after $label; another resumes: exact set, one audience',
    async ({ path, label }) => {
      const list = emails(`crash-${path.length}-`, 60);
      const { company, segments, destinationId } = await tenant(`Tenant ${path.length}`);
      const audienceName = `Tenant ${path.length} audience`;
      const getExport = async (id: string) =>
        (await api.http.get(`/exports/${id}`).set(bearer(company.apiKey)).expect(200)).body;
      const first = startWorker();
      const created = await api.http
        .post(segments)
        .set(bearer(company.apiKey))
        .send({
          name: `Crash ${label}`,
          source: { type: 'upload' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      await api.http
        .put(`${segments}/${created.body.id}/upload`)
        .set(bearer(company.apiKey))
        .attach('file', Buffer.from(['email', ...list].join('\n')), 'segment.csv')
        .expect(202);
      await until('the segment to be READY', async () => {
        const segment = await api.http
          .get(`${segments}/${created.body.id}`)
          .set(bearer(company.apiKey))
          .expect(200);
        return segment.body.status === 'READY' ? true : undefined;
      });
      const callsBefore = tiktok.emulator.requests.length;
      const accepted = await api.http
        .post(`${segments}/${created.body.id}/exports`)
        .set(bearer(company.apiKey))
        .send({ destinationId })
        .expect(202);

      await until(`a ${path} answer`, async () =>
        tiktok.emulator.requests.slice(callsBefore).some((entry) => entry.path === path && entry.code === 0)
          ? true
          : undefined,
      );
      first.kill('SIGKILL');
      const killedAt = Date.now();
      startWorker();
      const sent = await until('the export to be sent', async () => {
        const current = await getExport(accepted.body.id);
        return ['PROCESSING', 'COMPLETED', 'FAILED'].includes(current.status) ? current : undefined;
      });
      recoveries.push(Date.now() - killedAt);
      expect(sent).toMatchObject({ status: 'PROCESSING', counts: { uploaded: 60 }, error: null });
      expect(sent.attempts).toBeGreaterThanOrEqual(1);
      const audiences = tiktok.emulator
        .inspectAudiences(ADVERTISER)
        .filter((audience) => audience['name'] === audienceName);
      expect(audiences).toHaveLength(1);
      expect((audiences[0]['identifiers'] as Record<string, unknown>)['EMAIL_SHA256']).toEqual({
        count: 60,
        digest: xorDigest(list.map(sha256)),
      });
      for (const worker of workers) worker.kill('SIGKILL');
    },
    120_000,
  );
});
