import { createHash, randomBytes } from 'node:crypto';
import {
  BullMqJobRunner,
  defaultJobConcurrency,
  ExportRunner,
  JobRunner,
  redisConnection,
  SegmentMaterializer,
  UnitOfWork,
} from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import { startTikTokEmulator, xorDigest, type RunningEmulator } from '@conduit/tiktok-emulator';
import { bearer, bootApi, type ApiHarness } from './api-harness';
import { ADVERTISERS, APP, connectTikTok, tiktokEnv } from './tiktok-world';

// The at-scale path: the API only enqueues on BullMQ; a worker (a scheduler's, here in this process
// with its own Redis connection) runs the jobs. Create, then Append, then Replace on one audience.

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl)
  console.warn('Exports on BullMQ suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');

const [ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const emails = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@example.com`);

(redisUrl ? describe : describe.skip)(
  `exports on BullMQ (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'} + Redis)`,
  () => {
    let tiktok: RunningEmulator;
    let api: ApiHarness;
    let prefix: string;
    let worker: BullMqJobRunner;
    let acme: SeededCompany;
    let collaborationId: string;
    let destinationId: string;

    beforeAll(async () => {
      prefix = `conduit-spec-${randomBytes(4).toString('hex')}`;
      tiktok = await startTikTokEmulator({
        apps: [APP],
        advertisers: ADVERTISERS,
        minValidAudienceSize: 1,
        minAudienceSizeAfterUpdate: 1,
        processingDelayMs: 60_000,
      });
      api = await bootApi({
        env: { ...tiktokEnv(tiktok), REDIS_URL: redisUrl as string, CONDUIT_QUEUE_PREFIX: prefix },
      });
      worker = new BullMqJobRunner(redisConnection(redisUrl as string), {
        work: true,
        prefix,
        concurrency: defaultJobConcurrency(2),
      });
      const inUnit = (work: () => Promise<void>) => api.app.get(UnitOfWork).run(work);
      worker.register('segment.materialize', (id) => inUnit(() => api.app.get(SegmentMaterializer).run(id)));
      worker.register('export.run', (id) => inUnit(() => api.app.get(ExportRunner).run(id)));
      acme = await api.seedCompany('Acme');
      const authorizationId = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
      collaborationId = (
        await api.http.post('/collaborations').set(bearer(acme.apiKey)).send({ name: 'Acme' }).expect(201)
      ).body.id;
      destinationId = (
        await api.http
          .post('/destinations')
          .set(bearer(acme.apiKey))
          .send({
            name: 'TikTok on BullMQ',
            provider: 'tiktok',
            authorizationId,
            config: { advertiserId: ADVERTISER, audienceName: 'BullMQ audience', action: 'Create' },
            editableFields: ['action'],
          })
          .expect(201)
      ).body.id;
    });

    afterAll(async () => {
      await worker?.close();
      await api?.close();
      await tiktok?.close();
    });

    /** Waits until the queue is empty and nothing runs. */
    const settle = () => api.app.get(JobRunner).idle();
    const segments = () => `/collaborations/${collaborationId}/segments`;

    async function readySegment(
      list: string[],
      company = acme,
      collaboration = collaborationId,
    ): Promise<string> {
      const path = `/collaborations/${collaboration}/segments`;
      const created = await api.http
        .post(path)
        .set(bearer(company.apiKey))
        .send({
          name: `Segment ${list[0]}`,
          source: { type: 'upload' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      await api.http
        .put(`${path}/${created.body.id}/upload`)
        .set(bearer(company.apiKey))
        .attach('file', Buffer.from(['email', ...list].join('\n')), 'segment.csv')
        .expect(202);
      await settle();
      return created.body.id;
    }

    async function exportAndWait(segmentId: string, action: string) {
      const accepted = await api.http
        .post(`${segments()}/${segmentId}/exports`)
        .set(bearer(acme.apiKey))
        .send({ destinationId, overrides: { action } })
        .expect(202);
      await settle();
      const done = await api.http.get(`/exports/${accepted.body.id}`).set(bearer(acme.apiKey)).expect(200);
      tiktok.emulator.finishProcessing();
      return done.body;
    }

    const holds = (audienceId: string, list: string[]) => {
      const audience = tiktok.emulator
        .inspectAudiences(ADVERTISER)
        .find((candidate) => candidate['audience_id'] === audienceId) as Record<string, unknown>;
      expect((audience['identifiers'] as Record<string, unknown>)['EMAIL_SHA256']).toEqual({
        count: list.length,
        digest: xorDigest(list.map(sha256)),
      });
    };

    it('runs Create, Append and Replace on one audience through the queue, holding exactly each set', async () => {
      const [first, second, third] = [emails('q1-', 40), emails('q2-', 30), emails('q3-', 20)];
      const created = await exportAndWait(await readySegment(first), 'Create');
      expect(created).toMatchObject({ status: 'PROCESSING', counts: { uploaded: 40 } });
      const audienceId = created.references[0].id as string;
      holds(audienceId, first);
      const appended = await exportAndWait(await readySegment(second), 'Append');
      expect(appended).toMatchObject({ status: 'PROCESSING', references: [{ id: audienceId }] });
      holds(audienceId, [...first, ...second]);
      const replaced = await exportAndWait(await readySegment(third), 'Replace');
      expect(replaced).toMatchObject({ status: 'PROCESSING', references: [{ id: audienceId }] });
      holds(audienceId, third);
      expect(tiktok.emulator.inspectAudiences(ADVERTISER)).toHaveLength(1);
      // No worker ran over TikTok's quota: not one throttled answer.
      expect(tiktok.emulator.requests.filter((entry) => entry.code === 40100)).toEqual([]);
    });

    it("keeps 20 concurrent exports of 5 companies on two workers within TikTok's quota: 0 throttled answers", async () => {
      // A second process's view: its own app, provider and rate limiter, sharing only Redis and the database.
      const other = await bootApi({
        db: api.db,
        env: {
          ...tiktokEnv(tiktok),
          REDIS_URL: redisUrl as string,
          CONDUIT_QUEUE_PREFIX: prefix,
          CONDUIT_ENCRYPTION_KEYS: process.env['CONDUIT_ENCRYPTION_KEYS'] as string,
        },
      });
      const second = new BullMqJobRunner(redisConnection(redisUrl as string), {
        work: true,
        prefix,
        concurrency: defaultJobConcurrency(4),
      });
      second.register('segment.materialize', (id) =>
        other.app.get(UnitOfWork).run(() => other.app.get(SegmentMaterializer).run(id)),
      );
      second.register('export.run', (id) =>
        other.app.get(UnitOfWork).run(() => other.app.get(ExportRunner).run(id)),
      );
      try {
        tiktok.emulator.finishProcessing();
        const requestsBefore = tiktok.emulator.requests.length;
        const asked: { company: SeededCompany; exportId: string }[] = [];
        for (let n = 0; n < 5; n++) {
          const company = await api.seedCompany(`Tenant ${n}`);
          const authorizationId = await connectTikTok(api, tiktok, company, `Tenant ${n} TikTok`);
          const collaboration = (
            await api.http
              .post('/collaborations')
              .set(bearer(company.apiKey))
              .send({ name: `Tenant ${n}` })
              .expect(201)
          ).body.id;
          const destination = (
            await api.http
              .post('/destinations')
              .set(bearer(company.apiKey))
              .send({
                name: `Tenant ${n} TikTok`,
                provider: 'tiktok',
                authorizationId,
                config: { advertiserId: ADVERTISER, audienceName: `Tenant ${n} audience`, action: 'Create' },
              })
              .expect(201)
          ).body.id;
          const segmentId = await readySegment(emails(`tenant${n}-`, 30), company, collaboration);
          for (let k = 0; k < 4; k++) {
            const accepted = await api.http
              .post(`/collaborations/${collaboration}/segments/${segmentId}/exports`)
              .set(bearer(company.apiKey))
              .send({ destinationId: destination })
              .expect(202);
            asked.push({ company, exportId: accepted.body.id });
          }
        }
        await settle();
        const statuses: string[] = [];
        for (const { company, exportId } of asked) {
          const response = await api.http.get(`/exports/${exportId}`).set(bearer(company.apiKey)).expect(200);
          statuses.push(response.body.status);
        }
        expect(statuses).toEqual(Array(20).fill('PROCESSING'));
        const calls = tiktok.emulator.requests.slice(requestsBefore);
        expect(calls.filter((entry) => entry.code === 40100)).toEqual([]);
        process.stdout.write(
          `exports on BullMQ: 20 exports of 5 companies on 2 workers, ${calls.length} TikTok calls, 0 throttled\n`,
        );
      } finally {
        await second.close();
        await other.close();
      }
    }, 120_000);
  },
);
