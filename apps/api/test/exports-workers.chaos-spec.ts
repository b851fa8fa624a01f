import type { RunningEmulator } from '@conduit/tiktok-emulator';
import { bearer, type ApiHarness } from './api-harness';
import { ADVERTISERS, connectTikTok } from './tiktok-world';
import { startProcessWorld, until, type ProcessWorld, type Workers } from './worker-processes';

// Two real scheduler processes (BullMQ workers) and the API share TikTok's quota of 10 requests a
// second through Redis: 20 concurrent exports of 5 companies, and TikTok (the emulator, enforcing the
// Basic tier's 10 QPS / 600 QPM) never throttles one request.

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) console.warn('Export workers suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');

const [ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const COMPANIES = 5;
const EXPORTS_PER_COMPANY = 4;

(redisUrl ? describe : describe.skip)('exports on two worker processes (real processes)', () => {
  let world: ProcessWorld;
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let workers: Workers;

  beforeAll(async () => {
    world = await startProcessWorld(redisUrl as string, {
      name: 'workers',
      // TikTok's Basic tier, enforced.
      emulator: { rateLimit: { perSecond: 10, perMinute: 600 } },
      workerEnv: { JOB_CONCURRENCY: '4' },
    });
    ({ tiktok, api, workers } = world);
  }, 120_000);

  afterAll(() => world?.close());

  it(`keeps ${COMPANIES * EXPORTS_PER_COMPANY} concurrent exports on two workers within TikTok's quota: 0 throttled`, async () => {
    workers.start();
    workers.start();
    const asked: { apiKey: string; id: string }[] = [];
    const callsBefore = tiktok.emulator.requests.length;
    for (let n = 0; n < COMPANIES; n++) {
      const company = await api.seedCompany(`Worker tenant ${n}`);
      const as = bearer(company.apiKey);
      const authorizationId = await connectTikTok(api, tiktok, company, `Tenant ${n} TikTok`);
      const collaborationId = (
        await api.http
          .post('/collaborations')
          .set(as)
          .send({ name: `Tenant ${n}` })
          .expect(201)
      ).body.id;
      const segments = `/collaborations/${collaborationId}/segments`;
      const destinationId = (
        await api.http
          .post('/destinations')
          .set(as)
          .send({
            name: `Tenant ${n} TikTok`,
            provider: 'tiktok',
            authorizationId,
            config: { advertiserId: ADVERTISER, audienceName: `Tenant ${n} audience`, action: 'Create' },
            editableFields: ['audienceName'],
          })
          .expect(201)
      ).body.id;
      const segmentId = (
        await api.http
          .post(segments)
          .set(as)
          .send({
            name: `Tenant ${n} buyers`,
            source: { type: 'upload' },
            keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          })
          .expect(201)
      ).body.id;
      const list = Array.from({ length: 30 }, (_, index) => `tenant${n}-${index}@example.com`);
      await api.http
        .put(`${segments}/${segmentId}/upload`)
        .set(as)
        .attach('file', Buffer.from(['email', ...list].join('\n')), 'segment.csv')
        .expect(202);
      await until('the segment to be READY', async () =>
        (await api.http.get(`${segments}/${segmentId}`).set(as).expect(200)).body.status === 'READY'
          ? true
          : undefined,
      );
      for (let k = 0; k < EXPORTS_PER_COMPANY; k++) {
        const accepted = await api.http
          .post(`${segments}/${segmentId}/exports`)
          .set(as)
          .send({ destinationId, overrides: { audienceName: `Tenant ${n} audience ${k}` } })
          .expect(202);
        asked.push({ apiKey: company.apiKey, id: accepted.body.id });
      }
    }
    const startedAt = Date.now();
    const statuses = await until(
      'every export to be sent',
      async () => {
        // Four looks a second: the API and the emulator share this process, and they are not timed.
        await new Promise((resolve) => setTimeout(resolve, 250));
        const found: string[] = [];
        for (const { apiKey, id } of asked)
          found.push((await api.http.get(`/exports/${id}`).set(bearer(apiKey)).expect(200)).body.status);
        return found.every((status) => status !== 'QUEUED' && status !== 'RUNNING') ? found : undefined;
      },
      180_000,
      workers,
    );
    expect(statuses).toEqual(Array(asked.length).fill('PROCESSING'));
    const calls = tiktok.emulator.requests.slice(callsBefore);
    const throttled = calls.filter((entry) => entry.code === 40100);
    process.stdout.write(
      `exports on 2 worker processes: ${asked.length} exports of ${COMPANIES} companies sent in ` +
        `${((Date.now() - startedAt) / 1000).toFixed(1)} s, ${calls.length} TikTok calls at ≤ 10/s, ` +
        `${throttled.length} throttled\n`,
    );
    expect(throttled).toEqual([]);
  }, 300_000);
});
