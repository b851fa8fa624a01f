import { createHash } from 'node:crypto';
import { xorDigest, type RunningEmulator } from '@conduit/tiktok-emulator';
import { JobRunner } from '@conduit/domain';
import { bearer, type ApiHarness } from './api-harness';
import { ADVERTISERS, connectTikTok } from './tiktok-world';
import { startProcessWorld, until, type ProcessWorld, type Workers } from './worker-processes';

// Workers die mid-export and the export still ends with exactly its identifiers in exactly one
// audience. Real processes: the built scheduler (BullMQ worker) is SIGKILLed at a chosen TikTok call,
// another one is started, and it resumes the run from the database once the dead one's heartbeat is
// silent. The API (enqueue only) and the TikTok emulator run in this process.

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) console.warn('Export crash suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');

const STUCK_AFTER_SECONDS = 3;
const [ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const emails = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@example.com`);

/**
 * Where a worker is killed: right after a TikTok call answered (maybe not yet recorded), or once the
 * export's log shows a step recorded. Workers cut files at 1 MB (~16,000 identifiers).
 */
const KILL_POINTS = [
  { label: 'the credentials check, before any upload', path: '/user/info/', identifiers: 60 },
  {
    label: 'the file upload, before its checkpoint',
    path: '/dmp/custom_audience/file/upload/',
    identifiers: 60,
  },
  {
    label: 'the first of three files was recorded, between files',
    path: '/dmp/custom_audience/file/upload/',
    event: 'FILE_UPLOADED',
    identifiers: 40_000,
  },
  {
    label: 'the create call, before the audience id was recorded',
    path: '/dmp/custom_audience/create/',
    identifiers: 60,
  },
];

(redisUrl ? describe : describe.skip)('exports survive killed workers (real processes)', () => {
  let world: ProcessWorld;
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let workers: Workers;
  const recoveries: number[] = [];

  beforeAll(async () => {
    world = await startProcessWorld(redisUrl as string, {
      name: 'crash',
      // Long enough for an Append right after a Create to find the audience busy and wait for it.
      emulator: { processingDelayMs: 10_000 },
      workerEnv: {
        EXPORT_STUCK_AFTER_SECONDS: String(STUCK_AFTER_SECONDS),
        // A killed worker's per-company slot stays leased for a minute (tenant slots): with three slots
        // per company the resume need not wait for it, only for the heartbeat timeout.
        JOB_CONCURRENCY: '4',
        EXPORT_MAINTENANCE_SECONDS: '1',
        TIKTOK_MAX_FILE_MB: '1',
      },
    });
    ({ tiktok, api, workers } = world);
    // Slow answers: a kill lands while the worker waits for TikTok.
    tiktok.emulator.configureFaults({ latencyMs: 150 });
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    if (recoveries.length > 0) {
      process.stdout.write(
        `export crashes: ${recoveries.length} workers killed, every export exact and in one audience, ` +
          `longest recovery ${Math.max(...recoveries)} ms (heartbeat timeout ${STUCK_AFTER_SECONDS} s)\n`,
      );
    }
  });

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
          editableFields: ['action'],
        })
        .expect(201)
    ).body.id;
    return { company, segments: `/collaborations/${collaborationId}/segments`, destinationId };
  }

  async function readySegment(
    company: { apiKey: string },
    segments: string,
    list: string[],
  ): Promise<string> {
    const created = await api.http
      .post(segments)
      .set(bearer(company.apiKey))
      .send({
        name: `Crash ${list[0]}`,
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
    return created.body.id;
  }

  // First: a killed worker leaves its job active until BullMQ finds it stalled (30 s and more), and
  // this case waits for the queue to drain.
  it('cancels a queued export at once; the worker that later takes its job sends nothing', async () => {
    const list = emails('queued-', 20);
    const { company, segments, destinationId } = await tenant('Tenant queued');
    workers.start();
    const segmentId = await readySegment(company, segments, list);
    // No worker left (once its materialization job is done): the export waits in the queue.
    await api.app.get(JobRunner).idle();
    workers.killAll();
    const accepted = await api.http
      .post(`${segments}/${segmentId}/exports`)
      .set(bearer(company.apiKey))
      .send({ destinationId })
      .expect(202);
    const cancelled = await api.http
      .post(`/exports/${accepted.body.id}/cancel`)
      .set(bearer(company.apiKey))
      .expect(202);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', finishedAt: expect.any(String) });
    // (The API asked TikTok how many audiences the advertiser holds before queuing: a Create's pre-check.)
    const callsBefore = tiktok.emulator.requests.length;
    workers.start();
    // The new worker drains the queue (its job included) and the export stays as it was.
    await api.app.get(JobRunner).idle();
    const after = (await api.http.get(`/exports/${accepted.body.id}`).set(bearer(company.apiKey)).expect(200))
      .body;
    expect(after).toMatchObject({ status: 'CANCELLED', attempts: 0, references: [] });
    const log = (
      await api.http.get(`/exports/${accepted.body.id}/events`).set(bearer(company.apiKey)).expect(200)
    ).body.data as { type: string; message: string }[];
    expect(log.map((event) => event.type)).toEqual(['QUEUED', 'CANCELLED']);
    expect(log[1].message).toBe('Cancelled before it started: nothing was sent.');
    expect(tiktok.emulator.requests.slice(callsBefore)).toEqual([]);
    workers.killAll();
  }, 120_000);

  it.each(KILL_POINTS)(
    'kills the worker right after $label; another resumes: exact set, one audience',
    async ({ path, event, identifiers }) => {
      const name = `Tenant ${path.length}-${identifiers}`;
      const list = emails(`crash-${path.length}-${identifiers}-`, identifiers);
      const { company, segments, destinationId } = await tenant(name);
      const audienceName = `${name} audience`;
      const getExport = async (id: string) =>
        (await api.http.get(`/exports/${id}`).set(bearer(company.apiKey)).expect(200)).body;
      const first = workers.start();
      const segmentId = await readySegment(company, segments, list);
      const callsBefore = tiktok.emulator.requests.length;
      const accepted = await api.http
        .post(`${segments}/${segmentId}/exports`)
        .set(bearer(company.apiKey))
        .send({ destinationId })
        .expect(202);

      if (event) {
        await until(`a ${event} event`, async () => {
          const log = (
            await api.http.get(`/exports/${accepted.body.id}/events`).set(bearer(company.apiKey)).expect(200)
          ).body.data as { type: string }[];
          return log.some((entry) => entry.type === event) ? true : undefined;
        });
      } else {
        await until(`a ${path} answer`, async () =>
          tiktok.emulator.requests.slice(callsBefore).some((entry) => entry.path === path && entry.code === 0)
            ? true
            : undefined,
        );
      }
      first.kill('SIGKILL');
      const killedAt = Date.now();
      workers.start();
      const sent = await until('the export to be sent', async () => {
        const current = await getExport(accepted.body.id);
        return ['PROCESSING', 'COMPLETED', 'FAILED'].includes(current.status) ? current : undefined;
      });
      recoveries.push(Date.now() - killedAt);
      expect(sent).toMatchObject({ status: 'PROCESSING', counts: { uploaded: identifiers }, error: null });
      if (event) expect(sent.counts.files).toBe(3);
      expect(sent.attempts).toBeGreaterThanOrEqual(1);
      const audiences = tiktok.emulator
        .inspectAudiences(ADVERTISER)
        .filter((audience) => audience['name'] === audienceName);
      expect(audiences).toHaveLength(1);
      expect((audiences[0]['identifiers'] as Record<string, unknown>)['EMAIL_SHA256']).toEqual({
        count: identifiers,
        digest: xorDigest(list.map(sha256)),
      });
      workers.killAll();
    },
    120_000,
  );

  it('kills the worker while an Append waits for TikTok to finish processing; another resumes the wait', async () => {
    const first = emails('processing-first-', 40);
    const more = emails('processing-more-', 30);
    const { company, segments, destinationId } = await tenant('Tenant waiting');
    const audienceName = 'Tenant waiting audience';
    const as = (path: string) => api.http.get(path).set(bearer(company.apiKey)).expect(200);
    workers.start();
    const [createSegment, appendSegment] = [
      await readySegment(company, segments, first),
      await readySegment(company, segments, more),
    ];
    const created = await api.http
      .post(`${segments}/${createSegment}/exports`)
      .set(bearer(company.apiKey))
      .send({ destinationId })
      .expect(202);
    await until('the create to be sent', async () =>
      (await as(`/exports/${created.body.id}`)).body.status === 'PROCESSING' ? true : undefined,
    );
    // TikTok processes the new audience for 10 s and refuses updates meanwhile: the Append waits.
    const appended = await api.http
      .post(`${segments}/${appendSegment}/exports`)
      .set(bearer(company.apiKey))
      .send({ destinationId, overrides: { action: 'Append' } })
      .expect(202);
    await until('the Append to wait for TikTok', async () => {
      const log = (await as(`/exports/${appended.body.id}/events`)).body.data as { type: string }[];
      return log.some((event) => event.type === 'WAITING') ? true : undefined;
    });
    workers.killAll();
    const killedAt = Date.now();
    workers.start();
    const sent = await until('the Append to be sent', async () => {
      const current = (await as(`/exports/${appended.body.id}`)).body;
      return ['PROCESSING', 'COMPLETED', 'FAILED'].includes(current.status) ? current : undefined;
    });
    recoveries.push(Date.now() - killedAt);
    expect(sent).toMatchObject({ status: 'PROCESSING', counts: { uploaded: 30 }, error: null, attempts: 2 });
    const audiences = tiktok.emulator
      .inspectAudiences(ADVERTISER)
      .filter((audience) => audience['name'] === audienceName);
    expect(audiences).toHaveLength(1);
    expect(sent.references[0].id).toBe(audiences[0]['audience_id']);
    expect((audiences[0]['identifiers'] as Record<string, unknown>)['EMAIL_SHA256']).toEqual({
      count: 70,
      digest: xorDigest([...first, ...more].map(sha256)),
    });
    workers.killAll();
  }, 120_000);
});
