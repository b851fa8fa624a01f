import { createHash } from 'node:crypto';
import { ExportRunner, JobRunner, UnitOfWork } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import { startTikTokEmulator, xorDigest, type RunningEmulator } from '@conduit/tiktok-emulator';
import { actingAs, bootApi, jobsLabel, MovableClock, type ApiHarness } from './api-harness';
import { ADVERTISERS, APP, connectTikTok, tiktokEnv } from './tiktok-world';

// TikTok at its worst, over HTTP: a quarter of the calls fail — HTTP 503, 50000 system errors, 40100
// throttling, connections dropped before TikTok did anything, and answers lost after it did. Every
// export still completes, each audience holds exactly its set, and no name is ever made twice.

const [ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const emails = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@example.com`);
const FAULTS = {
  http5xxRate: 0.06,
  systemErrorRate: 0.06,
  dropRate: 0.06,
  lostAnswerRate: 0.06,
  rateLimitBurst: 3,
};

const JOBS = 'bullmq' as const;

describe(`exports under a fault mix (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'}, ${jobsLabel(JOBS)})`, () => {
  const clock = new MovableClock();
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let acme: SeededCompany;
  let segments: string;
  let destinationId: string;

  beforeAll(async () => {
    tiktok = await startTikTokEmulator({
      apps: [APP],
      advertisers: ADVERTISERS,
      minValidAudienceSize: 1,
      minAudienceSizeAfterUpdate: 1,
      processingDelayMs: 0,
      rateLimit: { perSecond: 1000, perMinute: 100_000 },
      seed: 20261129,
    });
    // Short waits between tries, many of them: the faults are frequent, the spec is not slow.
    api = await bootApi({
      env: tiktokEnv(tiktok, {
        PROVIDER_RETRY_ATTEMPTS: '10',
        PROVIDER_RETRY_BASE_DELAY_MS: '5',
        PROVIDER_RETRY_MAX_DELAY_MS: '40',
      }),
      clock,
      jobs: JOBS,
    });
    acme = await api.seedCompany('Acme');
    const authorizationId = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
    const collaborationId = (await as(acme).post('/collaborations', { name: 'Faults' }).expect(201)).body.id;
    segments = `/collaborations/${collaborationId}/segments`;
    destinationId = (
      await as(acme)
        .post('/destinations', {
          name: 'TikTok under fire',
          provider: 'tiktok',
          authorizationId,
          config: { advertiserId: ADVERTISER, audienceName: 'Named at export time', action: 'Create' },
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

  async function readySegment(list: string[]): Promise<string> {
    const created = await as(acme)
      .post(segments, {
        name: `Segment ${list[0]}`,
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      })
      .expect(201);
    await as(acme)
      .upload(`${segments}/${created.body.id}/upload`, ['email', ...list].join('\n'))
      .expect(202);
    await settle();
    return created.body.id;
  }

  async function exportTo(list: string[], audienceName: string, action: string): Promise<string> {
    const segmentId = await readySegment(list);
    const accepted = await as(acme)
      .post(`${segments}/${segmentId}/exports`, { destinationId, overrides: { audienceName, action } })
      .expect(202);
    return accepted.body.id;
  }

  const named = (name: string) =>
    tiktok.emulator.inspectAudiences(ADVERTISER).filter((audience) => audience['name'] === name);
  const exactly = (list: string[]) => ({ count: list.length, digest: xorDigest(list.map(sha256)) });

  it('completes every export through 503s, 50000s, 40100s, dropped connections and lost answers', async () => {
    const creates = Array.from({ length: 6 }, (_, index) => ({
      name: `Fault mix ${index}`,
      list: emails(`mix${index}-`, 40 + 10 * index),
    }));
    const appended = emails('mix-append-', 30);
    const replacement = emails('mix-replace-', 25);
    const callsBefore = tiktok.emulator.requests.length;
    tiktok.emulator.configureFaults(FAULTS);
    // And for certain: two creates and an update carried out whose answers never come back.
    tiktok.emulator.scheduleFault({ path: '/dmp/custom_audience/create/', outcome: 'lostAnswer', times: 2 });
    tiktok.emulator.scheduleFault({ path: '/dmp/custom_audience/update/', outcome: 'lostAnswer', times: 1 });

    const ids: string[] = [];
    for (const { name, list } of creates) ids.push(await exportTo(list, name, 'Create'));
    await settle();
    ids.push(await exportTo(appended, 'Fault mix 0', 'Append'));
    ids.push(await exportTo(replacement, 'Fault mix 1', 'Replace'));
    await settle();

    // The scheduler's rounds follow TikTok's processing (its answers fail too) until each is done.
    const statuses = async () => {
      const found = [];
      for (const id of ids) found.push((await as(acme).get(`/exports/${id}`).expect(200)).body);
      return found;
    };
    for (let round = 0; round < 20; round++) {
      if ((await statuses()).every((exported) => exported.status === 'COMPLETED')) break;
      clock.offsetMs += 60 * 60 * 1000;
      await api.app.get(UnitOfWork).run(() => api.app.get(ExportRunner).maintain());
      await settle();
    }
    tiktok.emulator.configureFaults({
      ...FAULTS,
      http5xxRate: 0,
      systemErrorRate: 0,
      dropRate: 0,
      lostAnswerRate: 0,
    });

    const finished = await statuses();
    expect(finished.map((exported) => [exported.id, exported.status, exported.error])).toEqual(
      ids.map((id) => [id, 'COMPLETED', null]),
    );
    expect(named('Fault mix 0')).toHaveLength(1);
    expect(named('Fault mix 0')[0]['identifiers']).toMatchObject({
      EMAIL_SHA256: exactly([...creates[0].list, ...appended]),
    });
    expect(named('Fault mix 1')).toHaveLength(1);
    expect(named('Fault mix 1')[0]['identifiers']).toMatchObject({ EMAIL_SHA256: exactly(replacement) });
    for (const { name, list } of creates.slice(2)) {
      expect(named(name)).toHaveLength(1);
      expect(named(name)[0]['identifiers']).toMatchObject({ EMAIL_SHA256: exactly(list) });
    }

    const calls = tiktok.emulator.requests.slice(callsBefore);
    const faults: Record<string, number> = {};
    for (const call of calls) if (call.fault) faults[call.fault] = (faults[call.fault] ?? 0) + 1;
    // The mix was real: every kind of fault hit these exports.
    for (const kind of ['http5xx', 'systemError', 'rateLimited', 'drop', 'lostAnswer'])
      expect(faults[kind]).toBeGreaterThan(0);
    const retries: string[] = [];
    for (const id of ids) {
      const log = (await as(acme).get(`/exports/${id}/events?limit=200`).expect(200)).body.data;
      for (const event of log) if (event.type === 'RETRYING') retries.push(event.message);
    }
    // Each retry is in its export's log: what TikTok answered and when the next try is.
    expect(retries.length).toBeGreaterThan(0);
    for (const message of retries)
      expect(message).toMatch(/\S Trying again in \d+ ms \(attempt \d+ of 10\)\.$/);
    process.stdout.write(
      `export fault mix: ${ids.length} exports completed exact through ${calls.length} TikTok calls, ` +
        `${Object.values(faults).reduce((sum, count) => sum + count, 0)} faulted ` +
        `(${Object.entries(faults)
          .map(([kind, count]) => `${count} ${kind}`)
          .join(', ')}); ${retries.length} retries in the exports' logs, e.g. "${retries[0]}"\n`,
    );
  }, 120_000);
});
