import { createHash } from 'node:crypto';
import { ExportRunner, UnitOfWork } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import { xorDigest, type RunningEmulator } from '@conduit/tiktok-emulator';
import { Client } from 'pg';
import { bearer, bootApi, type ApiHarness } from './api-harness';
import { ADVERTISERS, connectTikTok, startEmulator, tiktokEnv } from './tiktok-world';

// PostgreSQL kills every connection of the database (`pg_terminate_backend`: a failover, a restart, an
// operator) while an export is sending: the export is not failed, it resumes from its checkpoint and
// ends with exactly its identifiers. (SQLite has no connection to kill.)

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) console.warn('Database connection loss suite SKIPPED: it needs PostgreSQL (DATABASE_URL).');

const [ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const list = Array.from({ length: 60_000 }, (_, index) => `lost-connection-${index}@example.com`);

(databaseUrl ? describe : describe.skip)(
  'an export whose database connections are killed (PostgreSQL)',
  () => {
    let tiktok: RunningEmulator;
    let api: ApiHarness;
    let acme: SeededCompany;

    beforeAll(async () => {
      tiktok = await startEmulator({
        minValidAudienceSize: 1,
        minAudienceSizeAfterUpdate: 1,
        processingDelayMs: 0,
        rateLimit: { perSecond: 1000, perMinute: 100_000 },
      });
      // Slow answers and small files: the connections die while the export is between TikTok calls.
      tiktok.emulator.configureFaults({ latencyMs: 300 });
      api = await bootApi({
        env: tiktokEnv(tiktok, { TIKTOK_MAX_FILE_MB: '1', EXPORT_STUCK_AFTER_SECONDS: '5' }),
      });
      acme = await api.seedCompany('Acme');
    }, 120_000);

    afterAll(async () => {
      await api?.close();
      await tiktok?.close();
    });

    it('is not failed: it resumes from its checkpoint and sends exactly its identifiers', async () => {
      const as = bearer(acme.apiKey);
      const authorizationId = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
      const collaborationId = (
        await api.http.post('/collaborations').set(as).send({ name: 'Blip' }).expect(201)
      ).body.id;
      const segments = `/collaborations/${collaborationId}/segments`;
      const destinationId = (
        await api.http
          .post('/destinations')
          .set(as)
          .send({
            name: 'Blip TikTok',
            provider: 'tiktok',
            authorizationId,
            config: { advertiserId: ADVERTISER, audienceName: 'Blip audience', action: 'Create' },
          })
          .expect(201)
      ).body.id;
      const segmentId = (
        await api.http
          .post(segments)
          .set(as)
          .send({
            name: 'Blip buyers',
            source: { type: 'upload' },
            keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          })
          .expect(201)
      ).body.id;
      await api.http
        .put(`${segments}/${segmentId}/upload`)
        .set(as)
        .attach('file', Buffer.from(['email', ...list].join('\n')), 'segment.csv')
        .expect(202);
      for (let n = 0; n < 600; n++) {
        const segment = await api.http.get(`${segments}/${segmentId}`).set(as).expect(200);
        if (segment.body.status === 'READY') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const accepted = await api.http
        .post(`${segments}/${segmentId}/exports`)
        .set(as)
        .send({ destinationId })
        .expect(202);
      const events = async () =>
        (
          (await api.http.get(`/exports/${accepted.body.id}/events`).set(as).expect(200)).body.data as {
            type: string;
          }[]
        ).map((event) => event.type);
      for (let n = 0; n < 600 && !(await events()).includes('FILE_UPLOADED'); n++)
        await new Promise((resolve) => setTimeout(resolve, 50));

      // Every connection to this database but the admin's own, again and again for 3 s, so that some die
      // mid-query: the export's checkpoints and heartbeat included.
      const admin = new Client({ connectionString: databaseUrl });
      await admin.connect();
      const name = new URL(api.db.env['DATABASE_URL'] as string).pathname.slice(1);
      let killed = 0;
      for (let round = 0; round < 30; round++) {
        killed += (
          await admin.query(
            'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [name],
          )
        ).rows.filter((row: { killed: boolean }) => row.killed).length;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.end();
      expect(killed).toBeGreaterThan(0);

      // The scheduler's maintenance resumes a run whose lease was let go (or whose heartbeat fell silent).
      let current: { status: string; counts: { uploaded: number }; error: unknown } | undefined;
      for (let n = 0; n < 240; n++) {
        await api.app
          .get(UnitOfWork)
          .run(() => api.app.get(ExportRunner).maintain())
          .catch(() => undefined);
        const answer = await api.http.get(`/exports/${accepted.body.id}`).set(as);
        if (answer.status === 200) {
          current = answer.body;
          if (current && ['PROCESSING', 'COMPLETED', 'FAILED'].includes(current.status)) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      process.stdout.write(`events: ${(await events()).join(' → ')}\n`);
      expect(current).toMatchObject({
        status: expect.stringMatching(/^(PROCESSING|COMPLETED)$/),
        error: null,
      });
      expect(current?.counts.uploaded).toBe(list.length);
      const audiences = tiktok.emulator
        .inspectAudiences(ADVERTISER)
        .filter((audience) => audience['name'] === 'Blip audience');
      expect(audiences).toHaveLength(1);
      expect((audiences[0]?.['identifiers'] as Record<string, unknown>)['EMAIL_SHA256']).toEqual({
        count: list.length,
        digest: xorDigest(list.map(sha256)),
      });
      process.stdout.write(
        `database connections killed mid-export: ${killed} connections, export ${current?.status}, ` +
          `events ${(await events()).join(' → ')}\n`,
      );
    }, 180_000);
  },
);
