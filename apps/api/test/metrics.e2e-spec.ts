import { Export, ExportRunner, ExportStatus, JobRunner, newId, UnitOfWork } from '@conduit/domain';
import { EntityManager } from '@mikro-orm/core';
import { metricValue, parseMetrics, type MetricSample, type SeededCompany } from '@conduit/domain/testing';
import { startTikTokEmulator, type RunningEmulator } from '@conduit/tiktok-emulator';
import request from 'supertest';
import { bearer, bootApi, jobsLabel, type ApiHarness } from './api-harness';
import { startTikTokWiretap, type TikTokWiretap } from './tiktok-wiretap';
import { ADVERTISERS, APP, connectTikTok, tiktokEnv } from './tiktok-world';

const [ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const METRICS_TOKEN = 'metrics-token-3f9a1c7e5b2d4f60';
const JOBS = 'bullmq' as const;
const EXPORTS_ROUTE = '/collaborations/:collaborationId/segments/:segmentId/exports';
const emails = (count: number) => Array.from({ length: count }, (_, index) => `metric${index}@example.com`);

describe(`GET /metrics (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'}, ${jobsLabel(JOBS)})`, () => {
  let tiktok: RunningEmulator;
  let tap: TikTokWiretap;
  let api: ApiHarness;
  let acme: SeededCompany;
  let collaborationId: string;
  let destinationId: string;

  beforeAll(async () => {
    tiktok = await startTikTokEmulator({
      apps: [APP],
      advertisers: ADVERTISERS,
      minValidAudienceSize: 1,
      minAudienceSizeAfterUpdate: 1,
      processingDelayMs: 60_000,
      rateLimit: { perSecond: 1000, perMinute: 100_000 },
    });
    tap = await startTikTokWiretap(tiktok);
    api = await bootApi({
      env: { ...tiktokEnv(tiktok, { TIKTOK_API_BASE_URL: tap.apiBaseUrl }), METRICS_TOKEN },
      jobs: JOBS,
    });
    acme = await api.seedCompany('Acme');
    const authorizationId = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
    collaborationId = (
      await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'Acme only', memberCompanyIds: [] })
        .expect(201)
    ).body.id;
    destinationId = (
      await api.http
        .post('/destinations')
        .set(bearer(acme.apiKey))
        .send({
          name: 'TikTok metrics',
          provider: 'tiktok',
          authorizationId,
          config: { advertiserId: ADVERTISER, audienceName: 'Metrics audience', action: 'Create' },
          editableFields: ['audienceName'],
        })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await api?.close();
    await tap?.close();
    await tiktok?.close();
  });

  /** The scrape, outside the contract checker: /metrics is not part of the documented API. */
  const scrape = (token: string | null = METRICS_TOKEN) => {
    const call = request(api.app.getHttpServer()).get('/metrics');
    return token === null ? call : call.set('Authorization', `Bearer ${token}`);
  };
  const samples = async (): Promise<MetricSample[]> => parseMetrics((await scrape().expect(200)).text);
  const settle = () => api.app.get(JobRunner).idle();

  it('answers Prometheus text to the metrics token only', async () => {
    const answer = await scrape().expect(200);
    expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(answer.text).toContain('# TYPE conduit_exports_total counter');
    expect(answer.text).toContain('conduit_process_resident_memory_bytes');

    for (const token of [null, 'not-the-token-at-all-000', acme.apiKey]) {
      const response = await scrape(token).expect(401);
      expect(response.body).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(response.text).not.toContain('conduit_');
    }
  });

  it('counts an export through the API: its statuses, identifiers sent, provider calls and HTTP requests', async () => {
    const before = await samples();
    const callsBefore = tiktok.emulator.requests.length;
    const list = emails(120);
    const upload = ['email', ...list, 'not an email', list[0]].join('\n');

    const segmentId = (
      await api.http
        .post(`/collaborations/${collaborationId}/segments`)
        .set(bearer(acme.apiKey))
        .send({
          name: 'Metrics segment',
          source: { type: 'upload' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201)
    ).body.id as string;
    await api.http
      .put(`/collaborations/${collaborationId}/segments/${segmentId}/upload`)
      .set(bearer(acme.apiKey))
      .attach('file', Buffer.from(upload), 'segment.csv')
      .expect(202);
    await settle();
    const accepted = await api.http
      .post(`/collaborations/${collaborationId}/segments/${segmentId}/exports`)
      .set(bearer(acme.apiKey))
      .send({ destinationId })
      .expect(202);
    const exportId = accepted.body.id as string;
    await settle();
    tiktok.emulator.finishProcessing();
    const report = await api.app.get(UnitOfWork).run(() => api.app.get(ExportRunner).maintain());
    expect(report.completed).toContain(exportId);
    const exported = (await api.http.get(`/exports/${exportId}`).set(bearer(acme.apiKey)).expect(200)).body;
    expect(exported).toMatchObject({ status: 'COMPLETED', counts: { uploaded: 120 } });
    await api.http
      .get(`/exports/${newId('exp')}`)
      .set(bearer(acme.apiKey))
      .expect(404);
    await api.http.get(`/no/such/page/${exportId}`).expect(404);

    const after = await samples();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);

    for (const status of ['QUEUED', 'RUNNING', 'PROCESSING', 'COMPLETED'])
      expect({ status, count: delta('conduit_exports_total', { status }) }).toEqual({ status, count: 1 });
    expect(delta('conduit_exports_total', { status: 'FAILED' })).toBe(0);
    expect(delta('conduit_export_identifiers_sent_total', { provider: 'tiktok' })).toBe(120);
    expect(delta('conduit_segment_materializations_total', { outcome: 'ready' })).toBe(1);
    expect(delta('conduit_segment_materialized_rows_total')).toBe(122);
    expect(delta('conduit_export_lease_losses_total')).toBe(0);
    expect(delta('conduit_export_lease_recoveries_total')).toBe(0);

    // Every call TikTok received is counted under its endpoint and answer, and nothing else.
    const received = new Map<string, number>();
    for (const call of tiktok.emulator.requests.slice(callsBefore)) {
      const endpoint = `${call.method} ${call.path.replace(/^(\/open_api\/v1\.3)?\//, '')}`;
      const code = call.code ? String(call.code) : String(call.httpStatus);
      received.set(`${endpoint} ${code}`, (received.get(`${endpoint} ${code}`) ?? 0) + 1);
    }
    const counted = new Map<string, number>();
    for (const sample of after.filter((entry) => entry.name === 'conduit_provider_requests_total')) {
      const key = `${sample.labels['endpoint']} ${sample.labels['code']}`;
      const grown = sample.value - metricValue(before, sample.name, sample.labels);
      if (grown > 0) counted.set(key, grown);
    }
    expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(received));
    expect(counted.get('POST dmp/custom_audience/file/upload/ 200')).toBe(exported.counts.files);
    expect(counted.get('POST dmp/custom_audience/create/ 200')).toBe(1);
    expect(
      delta('conduit_provider_request_duration_seconds_count', {
        provider: 'tiktok',
        endpoint: 'POST dmp/custom_audience/file/upload/',
      }),
    ).toBe(exported.counts.files);

    // HTTP requests by route pattern: never a raw URL, so never an id.
    expect(
      delta('conduit_http_requests_total', { method: 'POST', route: EXPORTS_ROUTE, status: '202' }),
    ).toBe(1);
    expect(
      delta('conduit_http_requests_total', { method: 'GET', route: '/exports/:exportId', status: '200' }),
    ).toBe(1);
    expect(
      delta('conduit_http_requests_total', { method: 'GET', route: '/exports/:exportId', status: '404' }),
    ).toBe(1);
    // A URL no controller serves is counted under the pattern that answered it (the 404 catch-all).
    expect(
      delta('conduit_http_requests_total', { method: 'GET', status: '404' }) -
        delta('conduit_http_requests_total', { method: 'GET', route: '/exports/:exportId', status: '404' }),
    ).toBe(1);
    const routes = new Set(
      after.filter((sample) => sample.name === 'conduit_http_requests_total').map((s) => s.labels['route']),
    );
    for (const route of routes) expect(route).not.toMatch(/exp_|seg_|clb_|cmp_|dst_|no\/such|\d{6,}/);

    // What is running now, from the database and the queue.
    expect(metricValue(after, 'conduit_exports', { status: 'RUNNING' })).toBe(0);
    expect(
      after.some(
        (sample) => sample.name === 'conduit_queue_jobs' && sample.labels['queue'] === 'conduit-jobs',
      ),
    ).toBe(true);
    expect(metricValue(after, 'conduit_queue_oldest_job_age_seconds', { queue: 'conduit-jobs' })).toBe(0);
  });

  it('counts a takeover of a silent run as a lease recovery, not a lease handed back at a shutdown', async () => {
    const exportId = (
      await api.http.get(`/destinations/${destinationId}/exports`).set(bearer(acme.apiKey)).expect(200)
    ).body.data[0].id as string;
    const runner = api.app.get(ExportRunner);
    /** Makes the export a RUNNING one whose worker beat last at `heartbeatAt`, cancelled meanwhile, and runs it. */
    const takeOver = async (heartbeatAt: Date) => {
      await api.app
        .get(UnitOfWork)
        .run(() =>
          api.app
            .get(EntityManager)
            .nativeUpdate(
              Export,
              { id: exportId },
              { status: ExportStatus.RUNNING, heartbeatAt, cancelRequestedAt: new Date() },
            ),
        );
      await api.app.get(UnitOfWork).run(() => runner.run(exportId));
    };
    const before = await samples();
    await takeOver(new Date(0));
    const handedBack = await samples();
    await takeOver(new Date(Date.now() - 3_600_000));
    const after = await samples();
    const grown = (from: MetricSample[], to: MetricSample[], name: string, labels = {}) =>
      metricValue(to, name, labels) - metricValue(from, name, labels);
    expect(grown(before, handedBack, 'conduit_export_lease_recoveries_total')).toBe(0);
    expect(grown(handedBack, after, 'conduit_export_lease_recoveries_total')).toBe(1);
    expect(grown(before, after, 'conduit_exports_total', { status: 'RUNNING' })).toBe(2);
    expect(grown(before, after, 'conduit_exports_total', { status: 'CANCELLED' })).toBe(2);
  });

  it('carries no secret, no identifier and no customer value', async () => {
    const text = (await scrape().expect(200)).text;
    const secrets = [
      APP.secret,
      acme.apiKey,
      METRICS_TOKEN,
      process.env['CONDUIT_ENCRYPTION_KEYS'] ?? APP.secret,
      ...tap.credentials,
    ];
    expect(tap.credentials.size).toBeGreaterThan(0);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('@example.com');
    expect(text).not.toContain(ADVERTISER);
  });

  it('writes the export id on every log line of an export run', async () => {
    const lines = api.logs
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const exportIds = new Set<string>();
    for (const line of lines) {
      const match = /\bexp_[A-Za-z0-9]+/.exec(String(line['msg'] ?? ''));
      if (match) {
        exportIds.add(match[0]);
        expect({ msg: line['msg'], exportId: line['exportId'] }).toEqual({
          msg: line['msg'],
          exportId: match[0],
        });
      }
    }
    expect(exportIds.size).toBeGreaterThan(0);
    const runLines = lines.filter((line) => line['exportId'] !== undefined);
    expect(runLines.some((line) => /answered 200$/.test(String(line['msg'])))).toBe(true);
  });
});
