import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  companySqliteFolder,
  DataSourceService,
  IdempotencyService,
  JobRunner,
  Segment,
  SegmentService,
  SegmentStatus,
  UnitOfWork,
} from '@conduit/domain';
import { EntityManager } from '@mikro-orm/core';
import { createReaderRole, type SeededCompany } from '@conduit/domain/testing';
import Database from 'libsql';
import { Client } from 'pg';
import { actingAs, bearer, bootApi, MovableClock, type ApiHarness } from './api-harness';

const HOUR = 3_600_000;
// Materializations run in the background of these requests; a loaded CI machine needs the slack.
jest.setTimeout(60_000);

const postgres = process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';

describe(`segments (${postgres})`, () => {
  let api: ApiHarness;
  const clock = new MovableClock();
  let acme: SeededCompany;
  let globex: SeededCompany;
  let initech: SeededCompany;
  let collaborationId: string;
  let dataDir: string;

  beforeAll(async () => {
    api = await bootApi({
      clock,
      // The PostgreSQL source below is this machine's own server.
      env: { SEGMENT_DATA_RETENTION_HOURS: '2', DATA_SOURCE_ALLOWED_HOSTS: '127.0.0.1,localhost,::1' },
    });
    // A server that stays up: supertest otherwise listens and closes per request, and the first of
    // several concurrent requests to finish would reset the others' connections.
    await api.app.listen(0, '127.0.0.1');
    dataDir = api.db.env['CONDUIT_DATA_DIR'];
    [acme, globex, initech] = [
      await api.seedCompany('Acme'),
      await api.seedCompany('Globex'),
      await api.seedCompany('Initech'),
    ];
    collaborationId = (
      await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'Acme x Globex', memberCompanyIds: [globex.companyId] })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await api?.close();
  });

  afterEach(() => {
    clock.offsetMs = 0;
    clock.freeze(undefined);
    jest.restoreAllMocks();
  });

  const base = () => `/collaborations/${collaborationId}/segments`;
  const as = (company: SeededCompany) => actingAs(api, company);
  const settle = () => api.app.get(JobRunner).idle();
  const maintain = () => api.app.get(UnitOfWork).run(() => api.app.get(SegmentService).maintain());
  const segment = async (id: string) => (await as(acme).get(`${base()}/${id}`).expect(200)).body;
  const exportable = (id: string) =>
    api.app
      .get(UnitOfWork)
      .run(() => api.app.get(SegmentService).requireExportable(acme.companyId, collaborationId, id));
  const forceUpdate = (id: string, changes: Partial<Segment>) =>
    api.app.get(EntityManager).fork().nativeUpdate(Segment, { id }, changes);
  /** The segment ids `maintain` (or anything else) hands to the job runner from now on. */
  const recordEnqueued = () => {
    const enqueue = jest.spyOn(api.app.get(JobRunner), 'enqueue');
    return () => enqueue.mock.calls.map(([, id]) => id);
  };
  const nothingDone = {
    expired: [],
    dataDeleted: [],
    refreshed: [],
    retried: [],
    failed: [],
    leftoversRemoved: [],
  };

  async function sqliteSource(): Promise<string> {
    const folder = companySqliteFolder(dataDir, acme.companyId);
    mkdirSync(folder, { recursive: true });
    const db = new Database(join(folder, 'crm.sqlite'), {});
    db.exec('CREATE TABLE IF NOT EXISTS customers (email TEXT, phone TEXT, country TEXT)');
    db.exec('DELETE FROM customers');
    const insert = db.prepare('INSERT INTO customers VALUES (?, ?, ?)');
    // One transaction: 1,500 separate commits take seconds on a busy disk.
    db.exec('BEGIN');
    for (let i = 0; i < 1500; i++)
      insert.run(
        `user${i}@example.com`,
        i % 3 === 0 ? null : `+3361234${String(i).padStart(4, '0')}`,
        i % 2 ? 'FR' : 'DE',
      );
    db.exec('COMMIT');
    db.close();
    const response = await as(acme)
      .post('/data-sources', { name: 'Demo CRM', kind: 'SQLITE', path: 'crm.sqlite' })
      .expect(201);
    expect(response.body).toMatchObject({ kind: 'SQLITE', location: 'crm.sqlite' });
    return response.body.id;
  }

  async function uploadSegment(name: string, extra: object = {}): Promise<string> {
    const created = await as(acme)
      .post(base(), {
        name,
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        ...extra,
      })
      .expect(201);
    expect(created.body.status).toBe('PENDING');
    return created.body.id;
  }

  describe('SQL source', () => {
    it('materializes a query on a SQLite data source with a streaming cursor', async () => {
      const dataSourceId = await sqliteSource();
      const created = await as(acme)
        .post(base(), {
          name: 'French customers',
          source: {
            type: 'sql',
            dataSourceId,
            query: "SELECT email, phone, country FROM customers WHERE country = 'FR'",
          },
          keyColumns: [
            { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
            { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
          ],
        })
        .expect(201);
      await settle();
      const ready = await segment(created.body.id);
      expect(ready).toMatchObject({
        status: 'READY',
        rowCount: 750,
        keyCounts: { email: 750, phone: 500 },
        errorMessage: null,
      });
      expect(new Date(ready.expiresAt).getTime() - new Date(ready.readyAt).getTime()).toBe(36 * HOUR);
      const preview = await as(acme).get(`${base()}/${created.body.id}/rows?limit=2`).expect(200);
      expect(preview.body.rows).toHaveLength(2);
      expect(preview.body.rows[0]).toEqual({
        email: `${'*'.repeat('user1@example.com'.length - 4)}.com`,
        phone: '********0001',
        country: 'FR',
      });
    });

    it('refuses a query that is not a single SELECT, and fails a run naming a missing key column', async () => {
      const dataSourceId = await sqliteSource();
      const refused = await as(acme)
        .post(base(), {
          name: 'Bad',
          source: { type: 'sql', dataSourceId, query: 'DELETE FROM customers' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(400);
      expect(refused.body.details).toEqual([
        expect.objectContaining({ field: 'source.query', rule: 'readOnly' }),
      ]);
      const created = await as(acme)
        .post(base(), {
          name: 'Wrong column',
          source: { type: 'sql', dataSourceId, query: 'SELECT country FROM customers' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      await settle();
      const failed = await segment(created.body.id);
      expect(failed.status).toBe('FAILED');
      expect(failed.errorMessage).toMatch(/no column "email".*country/);
    });

    (process.env['DATABASE_URL'] ? it : it.skip)(
      'materializes 100k rows from a PostgreSQL table, flattening array key columns',
      async () => {
        const url = api.db.env['DATABASE_URL'];
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query('CREATE TABLE crm_contacts (id int, email text, emails text[], region text)');
          await client.query(
            `INSERT INTO crm_contacts SELECT i, 'user' || i || '@example.com',
               ARRAY['a' || i || '@example.com', 'b' || i || '@example.com'], 'EU' FROM generate_series(1, 100000) i`,
          );
        } finally {
          await client.end();
        }
        // The least-privilege role the README describes: the server's own superuser is refused.
        const reader = await createReaderRole(url, ['crm_contacts']);
        try {
          const source = await as(acme)
            .post('/data-sources', { name: 'Warehouse', kind: 'POSTGRESQL', url: reader.url })
            .expect(201);
          expect(JSON.stringify(source.body)).not.toContain(new URL(reader.url).pathname.slice(1) + '?');
          const plain = await as(acme)
            .post(base(), {
              name: 'Warehouse contacts',
              source: {
                type: 'sql',
                dataSourceId: source.body.id,
                query: 'SELECT email, region FROM crm_contacts',
              },
              keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
            })
            .expect(201);
          const multi = await as(acme)
            .post(base(), {
              name: 'Warehouse aliases',
              source: {
                type: 'sql',
                dataSourceId: source.body.id,
                query: 'SELECT emails FROM crm_contacts WHERE id <= 1000',
              },
              keyColumns: [{ column: 'emails', keyType: 'EMAIL', encoding: 'RAW' }],
              flatten: true,
            })
            .expect(201);
          const notFlattened = await as(acme)
            .post(base(), {
              name: 'Warehouse aliases unflattened',
              source: {
                type: 'sql',
                dataSourceId: source.body.id,
                query: 'SELECT emails FROM crm_contacts WHERE id <= 10',
              },
              keyColumns: [{ column: 'emails', keyType: 'EMAIL', encoding: 'RAW' }],
            })
            .expect(201);
          await settle();
          expect(await segment(plain.body.id)).toMatchObject({ status: 'READY', rowCount: 100_000 });
          expect(await segment(multi.body.id)).toMatchObject({ status: 'READY', rowCount: 2000 });
          const failed = await segment(notFlattened.body.id);
          expect(failed.status).toBe('FAILED');
          expect(failed.errorMessage).toMatch(/"emails" holds several values.*flatten/);
        } finally {
          await reader.drop();
        }
      },
      120_000,
    );
  });

  describe('CSV upload', () => {
    it('materializes a CSV, and a gzipped one', async () => {
      const id = await uploadSegment('Uploaded');
      const csv = 'email,country\njane@example.com,FR\njohn@example.com,DE\n,DE\n';
      const accepted = await as(acme).upload(`${base()}/${id}/upload`, csv).expect(202);
      expect(accepted.body.status).toBe('PENDING');
      await settle();
      expect(await segment(id)).toMatchObject({ status: 'READY', rowCount: 3, keyCounts: { email: 2 } });
      await as(acme)
        .upload(`${base()}/${id}/upload`, gzipSync(Buffer.from(csv)), 'segment.csv.gz')
        .expect(202);
      await settle();
      expect(await segment(id)).toMatchObject({ status: 'READY', rowCount: 3 });
    });

    it('fails a bad file with the line number, and refuses a request without a file', async () => {
      const id = await uploadSegment('Bad upload');
      await as(acme)
        .upload(`${base()}/${id}/upload`, 'email,country\na@example.com,FR\nb@example.com,DE,extra\n')
        .expect(202);
      await settle();
      const failed = await segment(id);
      expect(failed.status).toBe('FAILED');
      expect(failed.errorMessage).toMatch(/line 3/i);
      const missingKey = await uploadSegment('Missing key column');
      await as(acme).upload(`${base()}/${missingKey}/upload`, 'mail,country\na@example.com,FR\n').expect(202);
      await settle();
      expect((await segment(missingKey)).errorMessage).toMatch(/email/);
      const noFile = await api.http
        .put(`${base()}/${id}/upload`)
        .set(bearer(acme.apiKey))
        .set('Content-Type', 'multipart/form-data; boundary=XYZ')
        .send('--XYZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nno file here\r\n--XYZ--\r\n')
        .expect(400);
      expect(noFile.body.details).toEqual([expect.objectContaining({ field: 'file', rule: 'required' })]);
      const rawCsv = await api.http
        .put(`${base()}/${id}/upload`)
        .set(bearer(acme.apiKey))
        .set('Content-Type', 'text/csv')
        .send('email\na@example.com\n')
        .expect(415);
      expect(rawCsv.body).toMatchObject({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'This operation reads multipart/form-data bodies; the request sent "text/csv".',
      });
    });

    it('flattens multi-value cells when asked, fails naming the column when not', async () => {
      const csv = 'email,country\n"a@example.com|b@example.com",FR\nc@example.com,DE\n';
      const flat = await uploadSegment('Flattened', { flatten: true, multiValueDelimiter: '|' });
      await as(acme).upload(`${base()}/${flat}/upload`, csv).expect(202);
      const strict = await uploadSegment('Not flattened', { flatten: false, multiValueDelimiter: '|' });
      await as(acme).upload(`${base()}/${strict}/upload`, csv).expect(202);
      await settle();
      expect(await segment(flat)).toMatchObject({ status: 'READY', rowCount: 3 });
      const failed = await segment(strict);
      expect(failed.status).toBe('FAILED');
      expect(failed.errorMessage).toMatch(/email/);
    });

    it('refuses refresh for an upload segment, pointing at the upload', async () => {
      const id = await uploadSegment('Upload refresh');
      const response = await as(acme).post(`${base()}/${id}/refresh`).expect(409);
      expect(response.body.code).toBe('SEGMENT_REFRESH_NEEDS_UPLOAD');
      expect(response.body.message).toContain(`/segments/${id}/upload`);
    });
  });

  describe('freshness', () => {
    async function readySegment(name: string, extra: object = {}): Promise<string> {
      const dataSourceId = await sqliteSource();
      const created = await as(acme)
        .post(base(), {
          name,
          source: { type: 'sql', dataSourceId, query: 'SELECT email FROM customers LIMIT 10' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          ...extra,
        })
        .expect(201);
      await settle();
      expect((await segment(created.body.id)).status).toBe('READY');
      return created.body.id;
    }

    it('reads EXPIRED after 36 hours even before the scheduler runs, and then refuses export', async () => {
      const id = await readySegment('Expiring');
      await expect(exportable(id)).resolves.toMatchObject({ id });
      clock.offsetMs = 36 * HOUR + 1000;
      expect((await segment(id)).status).toBe('EXPIRED');
      await expect(exportable(id)).rejects.toMatchObject({
        code: 'SEGMENT_EXPIRED',
        message: expect.stringMatching(/expired at .*refresh it/),
      });
      expect((await maintain()).expired).toContain(id);
      expect((await segment(id)).status).toBe('EXPIRED');
    });

    it('is READY until the last millisecond of its window and EXPIRED at expiresAt exactly', async () => {
      const id = await readySegment('Boundary');
      const { expiresAt } = await segment(id);
      clock.freeze(new Date(new Date(expiresAt).getTime() - 1));
      expect((await segment(id)).status).toBe('READY');
      await expect(exportable(id)).resolves.toMatchObject({ id });
      clock.freeze(new Date(expiresAt));
      expect((await segment(id)).status).toBe('EXPIRED');
      await expect(exportable(id)).rejects.toMatchObject({
        code: 'SEGMENT_EXPIRED',
        message:
          `Segment ${id} expired at ${expiresAt} (segments stay READY for 36 hours); ` +
          'refresh it (POST …/refresh) and export again once it is READY.',
      });
    });

    it('refuses to export an expired upload (upload again), and any segment that is not READY', async () => {
      const uploaded = await uploadSegment('Expiring upload');
      await expect(exportable(uploaded)).rejects.toMatchObject({
        code: 'SEGMENT_NOT_READY',
        message: `Segment ${uploaded} is PENDING; only a READY segment can be exported.`,
      });
      await as(acme).upload(`${base()}/${uploaded}/upload`, 'email\na@example.com\n').expect(202);
      await settle();
      const { expiresAt } = await segment(uploaded);
      clock.freeze(new Date(expiresAt));
      await expect(exportable(uploaded)).rejects.toMatchObject({
        code: 'SEGMENT_EXPIRED',
        message:
          `Segment ${uploaded} expired at ${expiresAt} (segments stay READY for 36 hours); ` +
          'refresh it (upload a new file) and export again once it is READY.',
      });
      clock.freeze(undefined);
      // A later run failed: the rows of the earlier one are still there, and still not exportable.
      await as(acme)
        .upload(`${base()}/${uploaded}/upload`, 'email,country\na@example.com,FR\nb@example.com,DE,extra\n')
        .expect(202);
      await settle();
      const failed = await segment(uploaded);
      expect(failed).toMatchObject({ status: 'FAILED', errorMessage: expect.stringMatching(/line 3/i) });
      await as(acme).get(`${base()}/${uploaded}/rows`).expect(200);
      await expect(exportable(uploaded)).rejects.toMatchObject({
        code: 'SEGMENT_NOT_READY',
        message: `Segment ${uploaded} is FAILED (${failed.errorMessage}); only a READY segment can be exported.`,
      });
    });

    it('leaves alone what is not due: a segment in its window, and a round with nothing to do', async () => {
      const id = await readySegment('In its window');
      // Whatever other specs left due is handled by the first round; the second has nothing to do.
      expect((await maintain()).expired).not.toContain(id);
      expect(await maintain()).toEqual(nothingDone);
      expect(await segment(id)).toMatchObject({ status: 'READY', dataDeletedAt: null });
    });

    it('keeps the rows for the retention period after expiry, never deletes those of a run in progress', async () => {
      const id = await readySegment('Retention window');
      const { expiresAt } = await segment(id);
      const end = new Date(expiresAt).getTime();
      clock.freeze(new Date(end + HOUR));
      const early = await maintain();
      expect(early.expired).toContain(id);
      expect(early.dataDeleted).not.toContain(id);
      await as(acme).get(`${base()}/${id}/rows?limit=1`).expect(200);
      // Past the retention period, a run in progress (a refresh) keeps the rows it may publish over.
      clock.freeze(new Date(end + 2 * HOUR + 1));
      await forceUpdate(id, { status: SegmentStatus.RUNNING, runHeartbeatAt: clock.now() });
      expect((await maintain()).dataDeleted).not.toContain(id);
      await as(acme).get(`${base()}/${id}/rows?limit=1`).expect(200);
      // That run failed: its rows go like an expired segment's, once.
      await forceUpdate(id, { status: SegmentStatus.FAILED, runHeartbeatAt: null });
      expect((await maintain()).dataDeleted).toContain(id);
      expect((await maintain()).dataDeleted).not.toContain(id);
      expect(await segment(id)).toMatchObject({ status: 'FAILED', dataDeletedAt: clock.now().toISOString() });
    });

    it('never refreshes an upload segment on a schedule', async () => {
      const id = await uploadSegment('Upload with a schedule');
      await as(acme).upload(`${base()}/${id}/upload`, 'email\na@example.com\n').expect(202);
      await settle();
      // The API refuses a schedule on an upload segment; one in the table (an older row) is ignored.
      await forceUpdate(id, {
        refreshSchedule: '0 * * * *',
        nextRefreshAt: new Date(clock.now().getTime() - 1000),
      });
      const enqueued = recordEnqueued();
      expect((await maintain()).refreshed).not.toContain(id);
      await settle();
      expect(enqueued()).not.toContain(id);
      const after = await segment(id);
      expect(after).toMatchObject({ status: 'READY', rowCount: 1 });
      expect(new Date(after.nextRefreshAt).getTime()).toBeGreaterThan(clock.now().getTime());
    });

    it('refresh starts a new window; concurrent refreshes run once', async () => {
      const id = await readySegment('Refreshing');
      const before = await segment(id);
      const { generation } = await api.app.get(EntityManager).fork().findOneOrFail(Segment, { id });
      clock.offsetMs = 40 * HOUR;
      // Every materialization reads its source once, through the real job runner: count the reads, and
      // hold each one until every refresh has been answered, so no run can finish early and let a late
      // refresh legitimately start another.
      const dataSources = api.app.get(DataSourceService);
      const read = dataSources.read.bind(dataSources);
      const reads: string[] = [];
      let release!: () => void;
      const answered = new Promise<void>((resolve) => (release = resolve));
      jest.spyOn(dataSources, 'read').mockImplementation(async function* (dataSource, query, options) {
        reads.push(dataSource.id);
        await answered;
        yield* read(dataSource, query, options);
      });
      try {
        const responses = await Promise.all(
          Array.from({ length: 5 }, () => as(acme).post(`${base()}/${id}/refresh`).expect(202)),
        );
        // Each later one joins the first (queued or already running).
        for (const response of responses) expect(['PENDING', 'RUNNING']).toContain(response.body.status);
      } finally {
        release();
      }
      await settle();
      expect(reads).toEqual([before.source.dataSourceId]);
      // The later refreshes joined the first run: one new generation, not five.
      const stored = await api.app.get(EntityManager).fork().findOneOrFail(Segment, { id });
      expect(stored.generation).toBe(generation + 1);
      const after = await segment(id);
      expect(after.status).toBe('READY');
      expect(new Date(after.readyAt).getTime()).toBeGreaterThan(
        new Date(before.readyAt).getTime() + 39 * HOUR,
      );
      expect(new Date(after.expiresAt).getTime() - new Date(after.readyAt).getTime()).toBe(36 * HOUR);
    });

    it('a refresh while the run is still queued joins it', async () => {
      const id = await readySegment('Queued refresh');
      const em = api.app.get(EntityManager).fork();
      const stored = await em.findOneOrFail(Segment, { id });
      // As a run waiting in the queue (behind the company's other jobs) leaves it.
      stored.status = SegmentStatus.PENDING;
      await em.flush();
      const response = await as(acme).post(`${base()}/${id}/refresh`).expect(202);
      expect(response.body.status).toBe('PENDING');
      const after = await api.app.get(EntityManager).fork().findOneOrFail(Segment, { id });
      expect(after.generation).toBe(stored.generation);
      stored.status = SegmentStatus.READY;
      await em.flush();
    });

    it('fires a scheduled refresh', async () => {
      const id = await readySegment('Scheduled', { refreshSchedule: '0 * * * *' });
      const first = await segment(id);
      expect(first.nextRefreshAt).toEqual(expect.any(String));
      clock.offsetMs = new Date(first.nextRefreshAt).getTime() - Date.now() + 1000;
      expect((await maintain()).refreshed).toContain(id);
      await settle();
      const after = await segment(id);
      expect(after.status).toBe('READY');
      expect(new Date(after.readyAt).getTime()).toBeGreaterThan(new Date(first.readyAt).getTime());
      expect(new Date(after.nextRefreshAt).getTime()).toBeGreaterThan(
        new Date(first.nextRefreshAt).getTime(),
      );
    });

    /** Holds every SQL read at its start until `release()`; `started` resolves once one began. */
    function holdSqlReads() {
      const dataSources = api.app.get(DataSourceService);
      const read = dataSources.read.bind(dataSources);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let began!: () => void;
      const started = new Promise<void>((resolve) => (began = resolve));
      jest.spyOn(dataSources, 'read').mockImplementation(async function* (dataSource, query, options) {
        began();
        await released;
        yield* read(dataSource, query, options);
      });
      return { started, release };
    }
    const stored = (id: string) => api.app.get(EntityManager).fork().findOneOrFail(Segment, { id });

    it('stays READY and exportable on its committed rows while a refresh runs, until the new rows commit', async () => {
      const id = await readySegment('Refreshed while READY');
      const before = await segment(id);
      expect(before.refresh).toBeNull();
      const { datasetId } = await stored(id);
      clock.freeze(new Date(new Date(before.readyAt).getTime() + HOUR));
      const hold = holdSqlReads();
      try {
        const accepted = await as(acme).post(`${base()}/${id}/refresh`).expect(202);
        expect(accepted.body).toMatchObject({
          status: 'READY',
          refresh: { status: 'PENDING', requestedAt: clock.now().toISOString() },
          readyAt: before.readyAt,
          expiresAt: before.expiresAt,
        });
        await hold.started;
        const during = await segment(id);
        expect(during).toMatchObject({
          status: 'READY',
          refresh: { status: 'RUNNING', requestedAt: accepted.body.refresh.requestedAt },
          readyAt: before.readyAt,
          rowCount: before.rowCount,
          keyQuality: before.keyQuality,
        });
        const listed = (await as(acme).get(base()).query({ limit: 200 }).expect(200)).body.data;
        expect(listed.find((entry: { id: string }) => entry.id === id)).toEqual(during);
        // An export asked now pins the committed rows.
        await expect(exportable(id)).resolves.toMatchObject({ id, datasetId });
        await as(acme).get(`${base()}/${id}/rows?limit=1`).expect(200);
        // A second refresh joins the one running, and says so.
        const joined = await as(acme).post(`${base()}/${id}/refresh`).expect(202);
        expect(joined.body).toMatchObject({ status: 'READY', refresh: { status: 'RUNNING' } });
      } finally {
        hold.release();
      }
      await settle();
      const after = await segment(id);
      expect(after).toMatchObject({ status: 'READY', refresh: null });
      expect(new Date(after.readyAt).getTime()).toBe(new Date(before.readyAt).getTime() + HOUR);
      expect((await stored(id)).datasetId).not.toBe(datasetId);
    });

    it('counts the window from the last committed run: a refresh still running at expiresAt reads EXPIRED', async () => {
      const id = await readySegment('Refresh past the window');
      const before = await segment(id);
      const hold = holdSqlReads();
      try {
        await as(acme).post(`${base()}/${id}/refresh`).expect(202);
        await hold.started;
        clock.freeze(new Date(before.expiresAt));
        // The run is alive: its heartbeat follows the clock.
        await forceUpdate(id, { runHeartbeatAt: clock.now() });
        expect(await segment(id)).toMatchObject({ status: 'EXPIRED', refresh: { status: 'RUNNING' } });
        await expect(exportable(id)).rejects.toMatchObject({ code: 'SEGMENT_EXPIRED' });
        // The scheduler leaves the run's rows and status alone: the run decides what comes next.
        const report = await maintain();
        expect(report.expired).not.toContain(id);
        expect(report.dataDeleted).not.toContain(id);
        clock.freeze(new Date(new Date(before.expiresAt).getTime() - 1));
        expect(await segment(id)).toMatchObject({ status: 'READY', refresh: { status: 'RUNNING' } });
        clock.freeze(new Date(before.expiresAt));
      } finally {
        hold.release();
      }
      await settle();
      const after = await segment(id);
      expect(after).toMatchObject({ status: 'READY', refresh: null, readyAt: before.expiresAt });
      expect(new Date(after.expiresAt).getTime() - new Date(after.readyAt).getTime()).toBe(36 * HOUR);
    });

    it('refreshing what is not READY shows the run, not READY: EXPIRED, FAILED and first runs', async () => {
      const expired = await readySegment('Refresh of an expired segment');
      clock.offsetMs = 36 * HOUR + 1000;
      const hold = holdSqlReads();
      try {
        const accepted = await as(acme).post(`${base()}/${expired}/refresh`).expect(202);
        expect(accepted.body).toMatchObject({ status: 'PENDING', refresh: { status: 'PENDING' } });
        await hold.started;
        expect(await segment(expired)).toMatchObject({ status: 'RUNNING', refresh: { status: 'RUNNING' } });
        await expect(exportable(expired)).rejects.toMatchObject({ code: 'SEGMENT_NOT_READY' });
      } finally {
        hold.release();
      }
      await settle();
      expect(await segment(expired)).toMatchObject({ status: 'READY', refresh: null });
      // A FAILED segment keeps its older rows on disk, yet a refresh of it is no READY segment.
      const failed = await readySegment('Refresh of a failed segment');
      await forceUpdate(failed, { status: SegmentStatus.FAILED, errorMessage: 'the source was down' });
      const retried = await as(acme).post(`${base()}/${failed}/refresh`).expect(202);
      expect(retried.body).toMatchObject({
        status: 'PENDING',
        errorMessage: null,
        refresh: { status: 'PENDING' },
      });
      await settle();
      expect(await segment(failed)).toMatchObject({ status: 'READY', refresh: null });
      // A first run: PENDING with the run shown; an upload segment without a file has no run.
      const waiting = await uploadSegment('Waiting for its file');
      expect(await segment(waiting)).toMatchObject({ status: 'PENDING', refresh: null });
      const uploaded = await as(acme)
        .upload(`${base()}/${waiting}/upload`, 'email\na@example.com\n')
        .expect(202);
      expect(uploaded.body).toMatchObject({
        status: 'PENDING',
        refresh: { status: 'PENDING', requestedAt: expect.any(String) },
      });
      await settle();
      expect(await segment(waiting)).toMatchObject({ status: 'READY', refresh: null });
    });

    it('a dead refresh of a READY segment is retried with the segment still READY, and fails it after three attempts', async () => {
      const id = await readySegment('Dead refresh');
      const before = await segment(id);
      // A refresh whose worker was killed: RUNNING, silent for two minutes.
      const crash = (attempts: number) =>
        forceUpdate(id, {
          status: SegmentStatus.RUNNING,
          readyDuringRun: true,
          runRequestedAt: new Date(clock.now().getTime() - 3 * 60_000),
          runHeartbeatAt: new Date(clock.now().getTime() - 2 * 60_000),
          attempts,
        });
      await crash(1);
      expect(await segment(id)).toMatchObject({ status: 'READY', refresh: { status: 'RUNNING' } });
      const hold = holdSqlReads();
      try {
        expect((await maintain()).retried).toContain(id);
        expect(await segment(id)).toMatchObject({ status: 'READY', readyAt: before.readyAt });
        await expect(exportable(id)).resolves.toMatchObject({ id });
      } finally {
        hold.release();
      }
      await settle();
      expect(await segment(id)).toMatchObject({ status: 'READY', refresh: null });
      await crash(3);
      expect((await maintain()).failed).toContain(id);
      const failed = await segment(id);
      expect(failed).toMatchObject({ status: 'FAILED', refresh: null });
      await expect(exportable(id)).rejects.toMatchObject({ code: 'SEGMENT_NOT_READY' });
      expect(await stored(id)).toMatchObject({ readyDuringRun: false, runRequestedAt: null });
    });

    it('deletes the rows of an expired segment after the retention period, and says so', async () => {
      const id = await readySegment('Retention');
      const files = () => readdirSync(join(dataDir, 'segments')).filter((name) => name.startsWith(id));
      expect(files()).toHaveLength(1);
      clock.offsetMs = 36 * HOUR + 2 * HOUR + 1000;
      const report = await maintain();
      expect(report.dataDeleted).toContain(id);
      expect(files()).toHaveLength(0);
      const after = await segment(id);
      expect(after).toMatchObject({ status: 'EXPIRED', dataDeletedAt: expect.any(String) });
      const rows = await as(acme).get(`${base()}/${id}/rows`).expect(409);
      expect(rows.body.message).toMatch(/rows were deleted.*refresh/);
    });
  });

  describe('recovery', () => {
    it('retries a run that died (never half-READY), and fails it after three attempts', async () => {
      const dataSourceId = await sqliteSource();
      const created = await as(acme)
        .post(base(), {
          name: 'Crashed run',
          source: { type: 'sql', dataSourceId, query: 'SELECT email FROM customers LIMIT 5' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      await settle();
      const id = created.body.id as string;
      // A worker died mid-run: the row says RUNNING, and nobody is running it.
      const crash = (attempts: number, runHeartbeatAt = new Date(0)) =>
        api.app
          .get(EntityManager)
          .fork()
          .nativeUpdate(Segment, { id }, { status: SegmentStatus.RUNNING, runHeartbeatAt, attempts });
      // A slow but live run renewed its heartbeat (every 15 s) a minute ago: left alone.
      await crash(1, new Date(clock.now().getTime() - 60_000));
      const report = await maintain();
      expect([...report.retried, ...report.failed]).not.toContain(id);
      expect((await segment(id)).status).toBe('RUNNING');
      // Silent for two minutes (its worker was killed): noticed by the next maintenance round.
      await crash(1, new Date(clock.now().getTime() - 2 * 60_000));
      expect((await segment(id)).status).toBe('RUNNING');
      expect((await maintain()).retried).toContain(id);
      await settle();
      expect(await segment(id)).toMatchObject({ status: 'READY', rowCount: 5 });
      await crash(3);
      const enqueued = recordEnqueued();
      expect((await maintain()).failed).toContain(id);
      expect(enqueued()).not.toContain(id);
      expect(await segment(id)).toMatchObject({
        status: 'FAILED',
        errorMessage: expect.stringMatching(/stopped responding 3 times/),
      });
    });
  });

  describe('lost jobs', () => {
    it('queues a PENDING run again once it has waited a minute, if it has something to run', async () => {
      const dataSourceId = await sqliteSource();
      const sql = (
        await as(acme)
          .post(base(), {
            name: 'Lost SQL run',
            source: { type: 'sql', dataSourceId, query: 'SELECT email FROM customers LIMIT 4' },
            keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          })
          .expect(201)
      ).body.id as string;
      await settle();
      const neverUploaded = await uploadSegment('No file yet');
      const staged = await uploadSegment('Lost upload run');
      const uploads = join(dataDir, 'uploads');
      mkdirSync(uploads, { recursive: true });
      const file = join(uploads, `${staged}-1.upload`);
      writeFileSync(file, 'email\na@example.com\nb@example.com\n');
      // The processes that queued these died before running them: the rows say PENDING.
      await forceUpdate(sql, { status: SegmentStatus.PENDING });
      await forceUpdate(staged, { stagedUpload: file });
      const enqueued = recordEnqueued();
      await maintain();
      expect(enqueued()).not.toContain(sql);
      expect(enqueued()).not.toContain(staged);
      clock.offsetMs = 2 * 60_000;
      await maintain();
      await settle();
      expect(enqueued()).toEqual(expect.arrayContaining([sql, staged]));
      expect(enqueued()).not.toContain(neverUploaded);
      expect(await segment(sql)).toMatchObject({ status: 'READY', rowCount: 4 });
      expect(await segment(staged)).toMatchObject({ status: 'READY', rowCount: 2 });
      expect(await segment(neverUploaded)).toMatchObject({ status: 'PENDING' });
    });
  });

  describe('Idempotency-Key', () => {
    async function sqlSegment(name: string): Promise<string> {
      const dataSourceId = await sqliteSource();
      const created = await as(acme)
        .post(base(), {
          name,
          source: { type: 'sql', dataSourceId, query: 'SELECT email FROM customers LIMIT 3' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      await settle();
      return created.body.id as string;
    }
    const refresh = (id: string, key?: string) => {
      const request = api.http.post(`${base()}/${id}/refresh`).set(bearer(acme.apiKey));
      return key === undefined ? request : request.set('Idempotency-Key', key);
    };

    it('answers a repeated refresh with the first result instead of refreshing again', async () => {
      const id = await sqlSegment('Idempotent refresh');
      const first = await refresh(id, 'refresh-once').expect(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      await settle();
      const { readyAt } = await segment(id);
      clock.offsetMs = 60_000;
      const again = await refresh(id, 'refresh-once').expect(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      await settle();
      expect((await segment(id)).readyAt).toBe(readyAt);
      // Another key is another refresh.
      await refresh(id, 'refresh-twice').expect(202);
      await settle();
      expect((await segment(id)).readyAt).not.toBe(readyAt);
      // A key is remembered for 24 hours, then it is a new key.
      clock.offsetMs = 25 * HOUR;
      const later = await refresh(id, 'refresh-once').expect(202);
      expect(later.headers['idempotent-replayed']).toBeUndefined();
      await settle();
    });

    it('refuses a key reused for another request (422), a key still in use (409) and a malformed key (400)', async () => {
      const id = await sqlSegment('Key rules');
      const other = await sqlSegment('Key rules, other');
      await refresh(id, 'one-key').expect(202);
      const reused = await refresh(other, 'one-key').expect(422);
      expect(reused.body).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: expect.stringContaining(`POST ${base()}/${id}/refresh`),
        details: [expect.objectContaining({ field: 'Idempotency-Key' })],
      });
      // The first request under a key is still running (claimed, not completed).
      await api.app.get(UnitOfWork).run(() =>
        api.app.get(IdempotencyService).claim({
          companyId: acme.companyId,
          key: 'in-flight',
          operation: `POST ${base()}/${other}/refresh`,
        }),
      );
      const busy = await refresh(other, 'in-flight').expect(409);
      expect(busy.body).toMatchObject({
        code: 'IDEMPOTENCY_KEY_IN_USE',
        message: expect.stringMatching(/retry/),
      });
      // A request that died under its key is taken over after an hour of silence.
      clock.offsetMs = 61 * 60_000;
      const takenOver = await refresh(other, 'in-flight').expect(202);
      expect(takenOver.headers['idempotent-replayed']).toBeUndefined();
      await settle();
      const malformed = await refresh(id, 'two words').expect(400);
      expect(malformed.body.details).toEqual([
        { field: 'Idempotency-Key', rule: 'format', message: 'must be 1-255 visible ASCII characters' },
      ]);
      await refresh(id, 'k'.repeat(256)).expect(400);
    });

    it('releases the key of a failed request so it can be retried, and keys are per company', async () => {
      const upload = await uploadSegment('Refresh by upload only');
      for (let attempt = 0; attempt < 2; attempt++) {
        const failed = await refresh(upload, 'retry-me').expect(409);
        expect(failed.body.code).toBe('SEGMENT_REFRESH_NEEDS_UPLOAD');
      }
      // The same key from another company is another key.
      await as(acme)
        .upload(`${base()}/${upload}/upload`, 'email\na@example.com\n')
        .set('Idempotency-Key', 'shared')
        .expect(202);
      await settle();
      const globexCollaboration = (
        await api.http
          .post('/collaborations')
          .set(bearer(globex.apiKey))
          .send({ name: 'Globex only' })
          .expect(201)
      ).body.id as string;
      const theirs = await api.http
        .post(`/collaborations/${globexCollaboration}/segments`)
        .set(bearer(globex.apiKey))
        .send({
          name: 'Theirs',
          source: { type: 'upload' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      const upload2 = await api.http
        .put(`/collaborations/${globexCollaboration}/segments/${theirs.body.id}/upload`)
        .set(bearer(globex.apiKey))
        .set('Idempotency-Key', 'shared')
        .attach('file', Buffer.from('email\nb@example.com\n'), 'segment.csv')
        .expect(202);
      expect(upload2.headers['idempotent-replayed']).toBeUndefined();
      await settle();
    });

    it('answers a repeated upload with the first result, reading and dropping the repeated file', async () => {
      const id = await uploadSegment('Idempotent upload');
      const first = await as(acme)
        .upload(`${base()}/${id}/upload`, 'email\na@example.com\nb@example.com\n')
        .set('Idempotency-Key', 'upload-once')
        .expect(202);
      await settle();
      const again = await as(acme)
        .upload(`${base()}/${id}/upload`, 'email\nother@example.com\n')
        .set('Idempotency-Key', 'upload-once')
        .expect(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      await settle();
      expect(await segment(id)).toMatchObject({ status: 'READY', rowCount: 2 });
    });
  });

  describe('leftovers on disk', () => {
    it('removes what a crashed process left once untouched for the stuck period, never what is in use', async () => {
      const id = await uploadSegment('Staged');
      const segments = join(dataDir, 'segments');
      const uploads = join(dataDir, 'uploads');
      mkdirSync(uploads, { recursive: true });
      const place = (path: string, ageMs: number) => {
        if (!path.endsWith('.upload')) mkdirSync(path, { recursive: true });
        const file = path.endsWith('.upload') ? path : join(path, 'chunk-00000.ndjson.gz');
        writeFileSync(file, 'x');
        const at = new Date(Date.now() - ageMs);
        utimesSync(file, at, at);
        if (file !== path) utimesSync(path, at, at);
      };
      place(join(segments, 'seg_crashed.tmp-0123456789ab'), 2 * HOUR);
      place(join(segments, 'seg_writing.tmp-ba9876543210'), 60_000);
      place(join(uploads, 'seg_crashed-1.upload'), 2 * HOUR);
      place(join(uploads, 'seg_uploading-2.upload'), 60_000);
      // Older than a run's heartbeat period, younger than half an hour: a slow client, kept.
      place(join(segments, 'seg_paused.tmp-a1b2c3d4e5f6'), 5 * 60_000);
      place(join(uploads, 'seg_paused-4.upload'), 5 * 60_000);
      // An upload waiting for its run (the row refers to it) stays, however old.
      const waiting = join(uploads, `${id}-3.upload`);
      place(waiting, 2 * HOUR);
      await api.app.get(EntityManager).fork().nativeUpdate(Segment, { id }, { stagedUpload: waiting });

      expect((await maintain()).leftoversRemoved.sort()).toEqual([
        'seg_crashed.tmp-0123456789ab',
        'uploads/seg_crashed-1.upload',
      ]);
      expect(readdirSync(segments)).toEqual(
        expect.arrayContaining(['seg_writing.tmp-ba9876543210', 'seg_paused.tmp-a1b2c3d4e5f6']),
      );
      expect(readdirSync(segments)).not.toContain('seg_crashed.tmp-0123456789ab');
      expect(readdirSync(uploads).sort()).toEqual(
        [`${id}-3.upload`, 'seg_paused-4.upload', 'seg_uploading-2.upload'].sort(),
      );
      expect((await maintain()).leftoversRemoved).toEqual([]);
      await api.app.get(EntityManager).fork().nativeUpdate(Segment, { id }, { stagedUpload: null });
    });
  });

  describe('visibility', () => {
    it("lists the segments a company created in a collaboration, in id order, and no one else's", async () => {
      // A collaboration of its own, so the list holds exactly what this spec created.
      const collaboration = (
        await as(acme)
          .post('/collaborations', { name: 'Acme x Initech', memberCompanyIds: [initech.companyId] })
          .expect(201)
      ).body.id as string;
      const path = `/collaborations/${collaboration}/segments`;
      const create = async (company: SeededCompany, name: string) =>
        (
          await as(company)
            .post(path, {
              name,
              source: { type: 'upload' },
              keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
            })
            .expect(201)
        ).body;
      const acmes = [await create(acme, 'First'), await create(acme, 'Second')];
      const initechs = [await create(initech, 'Theirs')];
      acmes.push(await create(acme, 'Third'));
      expect((await as(acme).get(path).expect(200)).body).toEqual({ data: acmes, nextCursor: null });
      expect((await as(initech).get(path).expect(200)).body).toEqual({ data: initechs, nextCursor: null });
      expect(acmes.map((created) => created.id)).toEqual(acmes.map((created) => created.id).sort());
    });

    it('shows a segment only to the company that created it: members and others get 404', async () => {
      const id = await uploadSegment('Private');
      for (const company of [globex, initech]) {
        const response = await as(company).get(`${base()}/${id}`);
        expect(response.status).toBe(404);
      }
      expect((await as(globex).get(`${base()}/${id}`)).body.code).toBe('SEGMENT_NOT_FOUND');
      expect((await as(initech).get(base())).status).toBe(404);
      const mine = await as(globex).get(base()).expect(200);
      expect(mine.body.data).toEqual([]);
      await as(globex).delete(`${base()}/${id}`).expect(404);
      await as(globex).post(`${base()}/${id}/refresh`).expect(404);
      await as(globex).get(`${base()}/${id}/rows`).expect(404);
      await as(acme).delete(`${base()}/${id}`).expect(204);
      expect(existsSync(join(dataDir, 'segments', id))).toBe(false);
    });
  });
});
