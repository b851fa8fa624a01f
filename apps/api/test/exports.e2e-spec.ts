import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExportRunner, JobRunner, Segment, SegmentService, UnitOfWork } from '@conduit/domain';
import { EntityManager } from '@mikro-orm/core';
import type { SeededCompany } from '@conduit/domain/testing';
import { startTikTokEmulator, xorDigest, type RunningEmulator } from '@conduit/tiktok-emulator';
import { actingAs, bootApi, jobsLabel, MovableClock, type ApiHarness } from './api-harness';
import { TikTokClient } from '@conduit/destinations-tiktok';
import { ADVERTISERS, APP, CALLBACK, connectTikTok, tiktokEnv } from './tiktok-world';

const [ADVERTISER, OTHER_ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const UPLOAD = '/dmp/custom_audience/file/upload/';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const emails = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@example.com`);
/** A CSV of the emails, plus what a real export meets: an invalid value, an empty one, a duplicate. */
const csvOf = (list: string[]) =>
  ['email,country', ...list.map((email) => `${email},FR`), 'not an email,FR', ',DE', `${list[0]},FR`].join(
    '\n',
  );

// With REDIS_URL the exports go through BullMQ, run by a worker in this process as a scheduler would.
const JOBS = 'bullmq' as const;

describe(`exports (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'}, ${jobsLabel(JOBS)})`, () => {
  const clock = new MovableClock();
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let acme: SeededCompany;
  let globex: SeededCompany;
  let acmeAuthorization: string;
  let collaborationId: string;
  let destinationId: string;

  beforeAll(async () => {
    tiktok = await startTikTokEmulator({
      apps: [APP],
      advertisers: ADVERTISERS,
      minValidAudienceSize: 1,
      minAudienceSizeAfterUpdate: 1,
      processingDelayMs: 60_000,
      // The 400-audience spec fills an advertiser through the API: TikTok's 10 QPS would take 40 s.
      rateLimit: { perSecond: 1000, perMinute: 100_000 },
    });
    api = await bootApi({ env: tiktokEnv(tiktok), clock, jobs: JOBS });
    [acme, globex] = [await api.seedCompany('Acme'), await api.seedCompany('Globex')];
    acmeAuthorization = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
    collaborationId = (
      await as(acme)
        .post('/collaborations', { name: 'Acme x Globex', memberCompanyIds: [globex.companyId] })
        .expect(201)
    ).body.id;
    destinationId = (
      await as(acme)
        .post('/destinations', {
          name: 'TikTok spring',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config: { advertiserId: ADVERTISER, audienceName: 'Spring sale buyers', action: 'Create' },
          editableFields: ['audienceName', 'action'],
        })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await api?.close();
    await tiktok?.close();
  });

  const as = (company: SeededCompany) => actingAs(api, company);
  const settle = () => api.app.get(JobRunner).idle();
  /** The scheduler's round: asks TikTok how processing goes. */
  const followProcessing = () => api.app.get(UnitOfWork).run(() => api.app.get(ExportRunner).maintain());
  const segments = () => `/collaborations/${collaborationId}/segments`;

  async function readySegment(company: SeededCompany, list: string[]): Promise<string> {
    const created = await as(company)
      .post(segments(), {
        name: `Segment ${list[0]}`,
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      })
      .expect(201);
    await as(company).upload(`${segments()}/${created.body.id}/upload`, csvOf(list)).expect(202);
    await settle();
    const segment = await as(company).get(`${segments()}/${created.body.id}`).expect(200);
    expect(segment.body.status).toBe('READY');
    return created.body.id;
  }

  async function exportAndWait(company: SeededCompany, segmentId: string, body: object) {
    const accepted = await as(company).post(`${segments()}/${segmentId}/exports`, body).expect(202);
    expect(accepted.body).toMatchObject({ status: 'QUEUED', segmentId, collaborationId });
    await settle();
    return (await as(company).get(`/exports/${accepted.body.id}`).expect(200)).body;
  }

  const audience = (id: string) =>
    tiktok.emulator
      .inspectAudiences(ADVERTISER)
      .find((candidate) => candidate['audience_id'] === id) as Record<string, unknown>;
  const emailsIn = (id: string) =>
    (audience(id)['identifiers'] as Record<string, { count: number; digest: string }>)['EMAIL_SHA256'];
  const exactly = (list: string[]) => ({ count: list.length, digest: xorDigest(list.map(sha256)) });

  it('creates, appends to and replaces one audience, holding exactly the expected set after each', async () => {
    const first = emails('first', 120);
    const second = emails('second', 80);
    const third = emails('third', 50);
    const segmentId = await readySegment(acme, first);

    const created = await exportAndWait(acme, segmentId, {
      destinationId,
      overrides: { audienceName: 'Acme export target' },
    });
    expect(created).toMatchObject({
      status: 'PROCESSING',
      destinationId,
      provider: 'tiktok',
      mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      config: { advertiserId: ADVERTISER, audienceName: 'Acme export target', action: 'Create' },
      overrides: { audienceName: 'Acme export target' },
      lockedFields: ['advertiserId', 'phoneHashFormat'],
      hiddenFields: [],
      counts: { read: 123, valid: 121, invalid: { MALFORMED: 1, EMPTY: 1 }, duplicates: 1, uploaded: 120 },
      progress: { rowsRead: 123, totalRows: 123, percent: 100 },
      references: [{ kind: 'TIKTOK_AUDIENCE', name: 'Acme export target', id: expect.any(String) }],
      error: null,
      attempts: 1,
    });
    const audienceId = created.references[0].id as string;
    expect(emailsIn(audienceId)).toEqual(exactly(first));

    // Processing done at TikTok: the scheduler's next round completes the export with the audience size.
    tiktok.emulator.finishProcessing();
    expect((await followProcessing()).completed).toContain(created.id);
    const completed = (await as(acme).get(`/exports/${created.id}`).expect(200)).body;
    expect(completed).toMatchObject({
      status: 'COMPLETED',
      processing: { state: 'READY', audienceSize: expect.any(Number) },
      finishedAt: expect.any(String),
    });
    const events = (await as(acme).get(`/exports/${created.id}/events`).expect(200)).body.data;
    expect(events.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['QUEUED', 'STARTED', 'SENT', 'PROCESSING', 'COMPLETED']),
    );
    expect(events[0].type).toBe('QUEUED');
    expect(events.at(-1)).toMatchObject({ type: 'COMPLETED', message: expect.stringMatching(/^Completed/) });

    const appendSegment = await readySegment(acme, second);
    const appended = await exportAndWait(acme, appendSegment, {
      destinationId,
      overrides: { audienceName: 'Acme export target', action: 'Append' },
    });
    expect(appended).toMatchObject({ status: 'PROCESSING', references: [{ id: audienceId }] });
    expect(emailsIn(audienceId)).toEqual(exactly([...first, ...second]));
    tiktok.emulator.finishProcessing();
    await followProcessing();

    const replaceSegment = await readySegment(acme, third);
    const replaced = await exportAndWait(acme, replaceSegment, {
      destinationId,
      overrides: { audienceName: 'Acme export target', action: 'Replace' },
    });
    expect(replaced).toMatchObject({ status: 'PROCESSING', references: [{ id: audienceId }] });
    expect(emailsIn(audienceId)).toEqual(exactly(third));
    // One audience with that name, ever.
    expect(
      tiktok.emulator.inspectAudiences(ADVERTISER).filter((entry) => entry['name'] === 'Acme export target'),
    ).toHaveLength(1);

    const listed = await as(acme).get(`${segments()}/${segmentId}/exports`).expect(200);
    expect(listed.body.data.map((entry: { id: string }) => entry.id)).toEqual([created.id]);
  });

  it('lets a grantee export through a shared destination with its own audience name; the owner audits it', async () => {
    await as(acme)
      .post(`/destinations/${destinationId}/shares`, { collaborationId, companyId: globex.companyId })
      .expect(201);
    const list = emails('globex', 40);
    const segmentId = await readySegment(globex, list);
    const exported = await exportAndWait(globex, segmentId, {
      destinationId,
      overrides: { audienceName: 'Globex via Acme' },
    });
    expect(exported).toMatchObject({
      status: 'PROCESSING',
      config: { audienceName: 'Globex via Acme', action: 'Create' },
      hiddenFields: ['advertiserId', 'phoneHashFormat'],
      counts: { uploaded: 40, byKeyType: { EMAIL: { invalidExamples: { MALFORMED: ['n•• a• e••••'] } } } },
    });
    expect(JSON.stringify(exported)).not.toContain(ADVERTISER);
    expect(emailsIn(exported.references[0].id)).toEqual(exactly(list));

    const audit = await as(acme).get(`/destinations/${destinationId}/exports?limit=200`).expect(200);
    const entry = audit.body.data.find((candidate: { id: string }) => candidate.id === exported.id);
    expect(entry).toMatchObject({
      companyId: globex.companyId,
      collaborationId,
      status: 'PROCESSING',
      overrides: { audienceName: 'Globex via Acme' },
      counts: { uploaded: 40 },
    });
    expect(entry).not.toHaveProperty('segmentId');
    // The grantee's rejected values stay the grantee's, even masked.
    expect(entry.counts.byKeyType.EMAIL).toEqual({
      valid: 41,
      invalid: { MALFORMED: 1, EMPTY: 1 },
      duplicates: 1,
    });
    const refused = await as(globex).get(`/destinations/${destinationId}/exports`).expect(403);
    expect(refused.body.code).toBe('DESTINATION_OWNER_ONLY');
    // Neither sees the other's export directly.
    await as(acme).get(`/exports/${exported.id}`).expect(404);
  });

  it('refuses, before queuing anything, what cannot work, naming the field', async () => {
    const segmentId = await readySegment(acme, emails('checks', 5));
    const path = `${segments()}/${segmentId}/exports`;
    const before = tiktok.emulator.requests.length;
    const cases: [object, number, string, string | undefined][] = [
      [{ destinationId: 'dst_01M00000000000000000000000' }, 404, 'DESTINATION_NOT_FOUND', undefined],
      [
        { destinationId, overrides: { advertiserId: OTHER_ADVERTISER } },
        400,
        'VALIDATION_FAILED',
        'overrides.advertiserId',
      ],
      [
        { destinationId, overrides: { audienceName: 'x!' } },
        400,
        'VALIDATION_FAILED',
        'overrides.audienceName',
      ],
      [
        { destinationId, mapping: [{ column: 'phone', keyType: 'PHONE', encoding: 'RAW' }] },
        400,
        'VALIDATION_FAILED',
        'mapping[0].column',
      ],
      [{ destinationId, mapping: [] }, 400, 'VALIDATION_FAILED', 'mapping'],
      [
        { destinationId, mapping: [{ column: 'email', keyType: 'IDFA', encoding: 'RAW' }] },
        400,
        'VALIDATION_FAILED',
        'mapping.0.keyType',
      ],
    ];
    for (const [body, status, code, field] of cases) {
      const response = await as(acme).post(path, body);
      expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
      if (field)
        expect(response.body.details.map((problem: { field: string }) => problem.field)).toContain(field);
    }
    const pending = await as(acme)
      .post(segments(), {
        name: 'Never loaded',
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      })
      .expect(201);
    const notReady = await as(acme)
      .post(`${segments()}/${pending.body.id}/exports`, { destinationId })
      .expect(409);
    expect(notReady.body).toMatchObject({
      code: 'SEGMENT_NOT_READY',
      message: expect.stringMatching(/only a READY segment/),
    });
    expect((await as(acme).get(`${path}`).expect(200)).body.data).toEqual([]);
    expect(tiktok.emulator.requests.length).toBe(before);
  });

  it('runs a dry run through the whole pipeline without a single request to TikTok', async () => {
    const list = emails('dry', 25);
    const segmentId = await readySegment(acme, list);
    const before = tiktok.emulator.requests.length;
    const dry = await exportAndWait(acme, segmentId, {
      destinationId,
      overrides: { audienceName: 'Never sent' },
      dryRun: true,
    });
    expect(dry).toMatchObject({
      status: 'COMPLETED',
      dryRun: true,
      references: [],
      counts: {
        read: 28,
        valid: 26,
        invalid: { MALFORMED: 1, EMPTY: 1 },
        duplicates: 1,
        uploaded: 25,
        files: 1,
        bytes: 25 * 65,
        byKeyType: {
          EMAIL: {
            valid: 26,
            invalid: { MALFORMED: 1, EMPTY: 1 },
            duplicates: 1,
            // Masked: the shape of what was refused, never the value.
            invalidExamples: { MALFORMED: ['n•• a• e••••'] },
          },
        },
      },
    });
    expect(tiktok.emulator.requests.length).toBe(before);
    const log = (await as(acme).get(`/exports/${dry.id}/events`).expect(200)).body.data;
    expect(log.at(-1).message).toBe(
      'Dry run: would send 25 identifiers in 1 file(s), 1625 bytes from 28 rows; nothing was sent.',
    );
  });

  it("refuses a Create before queuing when the advertiser holds TikTok's 400 audiences; a dry run still counts", async () => {
    const full = (
      await as(acme)
        .post('/destinations', {
          name: 'TikTok, a full advertiser',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config: { advertiserId: OTHER_ADVERTISER, audienceName: 'Full advertiser seed', action: 'Create' },
          editableFields: ['audienceName'],
        })
        .expect(201)
    ).body.id;
    const segmentId = await readySegment(acme, emails('full', 3));
    const seeded = await exportAndWait(acme, segmentId, { destinationId: full });
    expect(seeded.status).toBe('PROCESSING');
    // 399 more audiences straight through TikTok's API, on the seed's file.
    const consent = await tiktok.confirmConsent({ state: 'filler', redirectUri: CALLBACK });
    const client = new TikTokClient({ baseUrl: tiktok.apiBaseUrl });
    const { accessToken } = await client.exchangeAuthCode({
      appId: APP.appId,
      secret: APP.secret,
      authCode: consent.searchParams.get('auth_code') as string,
    });
    const [seed] = tiktok.emulator.inspectAudiences(OTHER_ADVERTISER);
    const [{ filePaths }] = seed['history'] as { filePaths: string[] }[];
    for (let index = 0; index < 399; index++) {
      await client.createAudience(accessToken, {
        advertiserId: OTHER_ADVERTISER,
        name: `Filler ${index}`,
        calculateType: 'EMAIL_SHA256',
        filePaths,
      });
    }
    const path = `${segments()}/${segmentId}/exports`;
    const refused = await as(acme)
      .post(path, { destinationId: full, overrides: { audienceName: 'One audience too many' } })
      .expect(422);
    expect(refused.body).toMatchObject({
      code: 'EXPORT_PROVIDER_LIMIT',
      message: expect.stringMatching(/already has 400 custom audiences.*Delete unused audiences/),
    });
    expect((await as(acme).get(path).expect(200)).body.data.map((entry: { id: string }) => entry.id)).toEqual(
      [seeded.id],
    );
    await as(acme)
      .post(path, { destinationId: full, overrides: { audienceName: 'Only counted' }, dryRun: true })
      .expect(202);
  }, 60_000);

  it('answers a repeated Idempotency-Key with the same export, queued once', async () => {
    const segmentId = await readySegment(acme, emails('idem', 5));
    const path = `${segments()}/${segmentId}/exports`;
    const body = { destinationId, overrides: { audienceName: 'Idempotent export' } };
    const first = await as(acme).post(path, body).set('Idempotency-Key', 'export-idem-1').expect(202);
    const again = await as(acme).post(path, body).set('Idempotency-Key', 'export-idem-1').expect(202);
    expect(again.body.id).toBe(first.body.id);
    await settle();
    expect((await as(acme).get(path).expect(200)).body.data).toHaveLength(1);
  });

  it('resumes a failed export on retry without sending a file twice', async () => {
    const list = emails('retry', 30);
    const segmentId = await readySegment(acme, list);
    // TikTok throttles the create through all five attempts of the connector's retry policy: the export
    // fails with its file uploaded and checkpointed.
    tiktok.emulator.scheduleFault({ path: '/dmp/custom_audience/create/', outcome: 'rateLimited', times: 5 });
    const failed = await exportAndWait(acme, segmentId, {
      destinationId,
      overrides: { audienceName: 'Retried export' },
    });
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { code: 'PROVIDER_UNAVAILABLE', message: expect.stringMatching(/retry/) },
    });
    const uploads = tiktok.emulator.requests.filter(
      (entry) => entry.path === UPLOAD && entry.code === 0,
    ).length;
    await as(acme).post(`/exports/${failed.id}/retry`).expect(202);
    await settle();
    const done = (await as(acme).get(`/exports/${failed.id}`).expect(200)).body;
    expect(done).toMatchObject({ status: 'PROCESSING', attempts: 2, error: null });
    expect(tiktok.emulator.requests.filter((entry) => entry.path === UPLOAD && entry.code === 0).length).toBe(
      uploads,
    );
    expect(emailsIn(done.references[0].id)).toEqual(exactly(list));
    const again = await as(acme).post(`/exports/${failed.id}/retry`).expect(409);
    expect(again.body.code).toBe('EXPORT_NOT_RETRYABLE');
    const cancel = await as(acme).post(`/exports/${failed.id}/cancel`).expect(409);
    expect(cancel.body.code).toBe('EXPORT_NOT_CANCELLABLE');
  }, 60_000);

  it('cancels a running export at its next safe point: nothing applied, and the log says so', async () => {
    const segmentId = await readySegment(acme, emails('cancel', 20));
    // Slow TikTok: the run is still uploading when the cancel arrives.
    tiktok.emulator.configureFaults({ latencyMs: 300 });
    try {
      const accepted = await as(acme)
        .post(`${segments()}/${segmentId}/exports`, {
          destinationId,
          overrides: { audienceName: 'Cancelled while running' },
        })
        .expect(202);
      const path = `/exports/${accepted.body.id}`;
      for (let tries = 0; tries < 100; tries++) {
        if ((await as(acme).get(path).expect(200)).body.status === 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const asked = await as(acme).post(`${path}/cancel`).expect(202);
      expect(asked.body.status).toBe('RUNNING');
      await settle();
      const cancelled = (await as(acme).get(path).expect(200)).body;
      expect(cancelled).toMatchObject({ status: 'CANCELLED', finishedAt: expect.any(String) });
      const log = (await as(acme).get(`${path}/events`).expect(200)).body.data;
      expect(log.map((event: { type: string }) => event.type)).toEqual(
        expect.arrayContaining(['CANCEL_REQUESTED', 'CANCELLED']),
      );
      expect(log.at(-1).message).toMatch(/^Cancelled/);
      expect(
        tiktok.emulator
          .inspectAudiences(ADVERTISER)
          .filter((entry) => entry['name'] === 'Cancelled while running'),
      ).toEqual([]);
      const twice = await as(acme).post(`${path}/cancel`).expect(409);
      expect(twice.body).toMatchObject({
        code: 'EXPORT_NOT_CANCELLABLE',
        message: expect.stringMatching(/CANCELLED/),
      });
    } finally {
      tiktok.emulator.configureFaults({ latencyMs: 0 });
    }
  });

  it("keeps the rows an export is sending past the segment's expiry and retention, then deletes them", async () => {
    const list = emails('pinned', 20);
    const segmentId = await readySegment(acme, list);
    const { datasetId } = await api.app.get(EntityManager).fork().findOneOrFail(Segment, { id: segmentId });
    const rows = join(api.db.env['CONDUIT_DATA_DIR'], 'segments', datasetId as string);
    expect(existsSync(rows)).toBe(true);
    tiktok.emulator.configureFaults({ latencyMs: 300 });
    try {
      const accepted = await as(acme)
        .post(`${segments()}/${segmentId}/exports`, {
          destinationId,
          overrides: { audienceName: 'Pinned rows' },
        })
        .expect(202);
      for (let tries = 0; tries < 100; tries++) {
        if ((await as(acme).get(`/exports/${accepted.body.id}`).expect(200)).body.status === 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Past the 36 h window and the 24 h retention: the segment lets go of its rows, the export keeps them.
      clock.offsetMs = 61 * 3_600_000;
      const report = await api.app.get(UnitOfWork).run(() => api.app.get(SegmentService).maintain());
      expect(report.dataDeleted).toContain(segmentId);
      expect(existsSync(rows)).toBe(true);
      tiktok.emulator.configureFaults({ latencyMs: 0 });
      await settle();
      const sent = (await as(acme).get(`/exports/${accepted.body.id}`).expect(200)).body;
      expect(sent).toMatchObject({ status: 'PROCESSING', counts: { uploaded: 20 } });
      expect(emailsIn(sent.references[0].id)).toEqual(exactly(list));
      expect(existsSync(rows)).toBe(false);
    } finally {
      tiktok.emulator.configureFaults({ latencyMs: 0 });
      clock.offsetMs = 0;
    }
  });

  it("deletes an expired segment's rows once its exports are done, whatever other exports are doing", async () => {
    const segmentId = await readySegment(acme, emails('released', 5));
    const { datasetId } = await api.app.get(EntityManager).fork().findOneOrFail(Segment, { id: segmentId });
    const rows = join(api.db.env['CONDUIT_DATA_DIR'], 'segments', datasetId as string);
    const dry = await exportAndWait(acme, segmentId, { destinationId, dryRun: true });
    expect(dry.status).toBe('COMPLETED');
    // Done with them, the export leaves the rows to the segment, which still uses them.
    expect(existsSync(rows)).toBe(true);
    try {
      // Exports of other segments are still PROCESSING (earlier cases): only this segment's own count.
      clock.offsetMs = 61 * 3_600_000;
      const report = await api.app.get(UnitOfWork).run(() => api.app.get(SegmentService).maintain());
      expect(report.dataDeleted).toContain(segmentId);
      expect(existsSync(rows)).toBe(false);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('repeats after each refresh of the segment, replacing the audience it created, until stopped', async () => {
    const before = emails('weekly', 30);
    const after = emails('weekly-next', 20);
    const segmentId = await readySegment(acme, before);
    const first = await exportAndWait(acme, segmentId, {
      destinationId,
      overrides: { audienceName: 'Weekly refreshed buyers' },
      repeat: 'ON_REFRESH',
    });
    expect(first).toMatchObject({ status: 'PROCESSING', repeat: 'ON_REFRESH', repeatOf: null });
    const audienceId = first.references[0].id as string;
    tiktok.emulator.finishProcessing();
    await followProcessing();

    // The refresh (a new upload) makes the segment READY again: the export runs again on its own.
    await as(acme).upload(`${segments()}/${segmentId}/upload`, csvOf(after)).expect(202);
    await settle();
    const listed = (await as(acme).get(`${segments()}/${segmentId}/exports`).expect(200)).body.data;
    expect(listed).toHaveLength(2);
    const repeat = listed[1];
    expect(repeat).toMatchObject({
      repeatOf: first.id,
      repeat: 'NONE',
      config: { audienceName: 'Weekly refreshed buyers', action: 'Replace' },
      status: 'PROCESSING',
      references: [{ id: audienceId }],
    });
    expect(emailsIn(audienceId)).toEqual(exactly(after));
    const log = (await as(acme).get(`/exports/${first.id}/events`).expect(200)).body.data;
    expect(log.map((event: { type: string }) => event.type)).toContain('REPEATED');

    const stopped = await as(acme).post(`/exports/${repeat.id}/stop-repeating`).expect(200);
    expect(stopped.body.id).toBe(repeat.id);
    const original = (await as(acme).get(`/exports/${first.id}`).expect(200)).body;
    expect(original.repeatStoppedAt).toEqual(expect.any(String));
    const again = await as(acme).post(`/exports/${first.id}/stop-repeating`).expect(409);
    expect(again.body.code).toBe('EXPORT_NOT_REPEATING');
    tiktok.emulator.finishProcessing();
    await as(acme).upload(`${segments()}/${segmentId}/upload`, csvOf(before)).expect(202);
    await settle();
    expect((await as(acme).get(`${segments()}/${segmentId}/exports`).expect(200)).body.data).toHaveLength(2);
  });

  it('fails fast on a revoked token, says what to do, and marks the authorization REVOKED', async () => {
    const authorizationId = await connectTikTok(api, tiktok, acme, 'Acme TikTok (to revoke)');
    const revocable = await as(acme)
      .post('/destinations', {
        name: 'TikTok revocable',
        provider: 'tiktok',
        authorizationId,
        // An Append: no check at TikTok before queuing, so the run meets the revoked token.
        config: { advertiserId: ADVERTISER, audienceName: 'Revoked token export', action: 'Append' },
      })
      .expect(201);
    const segmentId = await readySegment(acme, emails('revoked', 5));
    // Every token of the advertiser (this suite's last use of it).
    tiktok.emulator.revokeTokens({ advertiserId: ADVERTISER });
    const failed = await exportAndWait(acme, segmentId, { destinationId: revocable.body.id });
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: {
        code: 'CREDENTIALS_REFUSED',
        message: expect.stringContaining(`POST /authorizations/${authorizationId}/reauthorize`),
      },
    });
    const authorization = await as(acme).get(`/authorizations/${authorizationId}`).expect(200);
    expect(authorization.body.status).toBe('REVOKED');
    const refused = await as(acme)
      .post(`${segments()}/${segmentId}/exports`, { destinationId: revocable.body.id })
      .expect(409);
    expect(refused.body.code).toBe('AUTHORIZATION_NOT_AUTHENTICATED');
  });
});
