import { createHash } from 'node:crypto';
import { ExportRunner, JobRunner, UnitOfWork } from '@conduit/domain';
import { recordFigures, type SeededCompany } from '@conduit/domain/testing';
import {
  startTikTokEmulator,
  xorDigest,
  type FaultOutcome,
  type RequestLogEntry,
  type RunningEmulator,
} from '@conduit/tiktok-emulator';
import { actingAs, bootApi, jobsLabel, MovableClock, type ApiHarness } from './api-harness';
import { APP, CALLBACK, connectTikTok, tiktokEnv } from './tiktok-world';

// A hostile TikTok (issue 13, "Provider faults"). (a) 20 exports — Create, Append and Replace, files
// cut at 1 MB so each makes several calls — through 10 % 5xx / 50000, 5 % 40100, 1 % dropped
// connections, 1 % answers cut mid-body and 5 % latency spikes of 5 s: every one completes with
// exactly its identifiers in one audience, within the retry bounds counted from the emulator's log.
// (b) Terminal codes fail their export at once (one call, no retry) with a message to act on.
// (c) Malformed answers — a gateway's HTML, JSON without the envelope, 20 MB, fields left out, a body
// cut every time — fail their export with a clear error; the process serves on, nothing stays stuck.
// Jobs run in process, eight at a time, on SQLite or PostgreSQL, with or without REDIS_URL: the
// harness's BullMQ worker runs one export per company at a time, which would stretch the latency
// spikes past the time budget, and the queue's own faults have suites of their own (exports-bullmq,
// exports-workers, exports-crash).

const ATTEMPTS = 8;
const FAULT_MIX = {
  http5xxRate: 0.05,
  systemErrorRate: 0.05,
  rateLimitedRate: 0.05,
  dropRate: 0.01,
  cutBodyRate: 0.01,
  latencySpikeRate: 0.05,
  latencySpikeMs: 5000,
};
const NO_MIX = {
  http5xxRate: 0,
  systemErrorRate: 0,
  rateLimitedRate: 0,
  dropRate: 0,
  cutBodyRate: 0,
  latencySpikeRate: 0,
};
const UPLOAD = '/dmp/custom_audience/file/upload/';
const CREATE = '/dmp/custom_audience/create/';
const JOBS = 'in-process' as const;

/** One advertiser per export of (a), so every audience is its export's alone; the last for (b), (c). */
const ADVERTISERS = Array.from({ length: 21 }, (_, index) => ({
  advertiserId: `72000000000001${String(index).padStart(5, '0')}`,
  name: `Hostile advertiser ${index}`,
}));
/** Identifiers per segment: 1 MB files hold ~16,100 of them, so 2 or 3 files per export. */
const SEGMENT_SIZES = [17_000, 21_000, 26_000, 34_000];
const PLAN = Array.from({ length: 20 }, (_, index) => ({
  index,
  action: index < 12 ? 'Create' : index < 16 ? 'Append' : 'Replace',
  segment: index % SEGMENT_SIZES.length,
}));

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const emails = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@example.com`);
const exactly = (list: string[]) => ({ count: list.length, digest: xorDigest(list.map(sha256)) });
const failedCall = (call: RequestLogEntry) => call.fault !== undefined || call.code !== 0;

interface ExportBody {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  startedAt: string | null;
  sentAt: string | null;
}

describe(`exports against a hostile provider (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'}, ${jobsLabel(JOBS)})`, () => {
  const clock = new MovableClock();
  const figures: Record<string, string | number> = {};
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let acme: SeededCompany;
  let segmentsPath: string;
  const segmentIds: string[] = [];
  const segmentLists: string[][] = [];
  let smallSegment: string;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    tiktok = await startTikTokEmulator({
      apps: [APP],
      advertisers: ADVERTISERS,
      minValidAudienceSize: 1,
      minAudienceSizeAfterUpdate: 1,
      processingDelayMs: 0,
      rateLimit: { perSecond: 10_000, perMinute: 600_000 },
      seed: 20261130,
    });
    api = await bootApi({
      env: tiktokEnv(tiktok, {
        PROVIDER_RETRY_ATTEMPTS: String(ATTEMPTS),
        PROVIDER_RETRY_BASE_DELAY_MS: '10',
        PROVIDER_RETRY_MAX_DELAY_MS: '200',
        TIKTOK_MAX_FILE_MB: '1',
        TIKTOK_RATE_LIMIT_QPS: '1000',
        TIKTOK_RATE_LIMIT_QPM: '60000',
        JOB_CONCURRENCY: '8',
        JOB_CONCURRENCY_PER_COMPANY: '8',
      }),
      clock,
      jobs: JOBS,
    });
    acme = await api.seedCompany('Acme');
    const collaborationId = (await as(acme).post('/collaborations', { name: 'Hostile' }).expect(201)).body.id;
    segmentsPath = `/collaborations/${collaborationId}/segments`;
    for (const [index, size] of SEGMENT_SIZES.entries()) {
      segmentLists.push(emails(`hostile${index}-`, size));
      segmentIds.push(await readySegment(segmentLists[index]));
    }
    smallSegment = await readySegment(emails('small-', 1200));
  }, 120_000);

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await api?.close();
    await tiktok?.close();
  });

  const as = (company: SeededCompany) => actingAs(api, company);
  const settle = () => api.app.get(JobRunner).idle();
  const exported = async (id: string): Promise<ExportBody> =>
    (await as(acme).get(`/exports/${id}`).expect(200)).body as ExportBody;
  const events = async (id: string): Promise<{ type: string; message: string }[]> =>
    (await as(acme).get(`/exports/${id}/events?limit=200`).expect(200)).body.data;

  async function readySegment(list: string[]): Promise<string> {
    const created = await as(acme)
      .post(segmentsPath, {
        name: `Segment ${list[0]}`,
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      })
      .expect(201);
    await as(acme)
      .upload(`${segmentsPath}/${created.body.id}/upload`, ['email', ...list].join('\n'))
      .expect(202);
    await settle();
    return created.body.id;
  }

  /** A connection of its own (its token identifies its calls in the emulator's log) and a destination. */
  async function destination(
    name: string,
    advertiserId: string,
    action: string,
  ): Promise<{ destinationId: string; tokenId: () => string | undefined }> {
    const authorizationId = await connectTikTok(api, tiktok, acme, name);
    // The token's fingerprint: the last exchange's answer is the one this connection holds.
    const tokenId = tiktok.emulator.requests
      .filter((call) => call.path === '/oauth2/advertiser/get/')
      .at(-1)?.tokenId;
    expect(tokenId).toEqual(expect.any(String));
    const destinationId = (
      await as(acme)
        .post('/destinations', {
          name,
          provider: 'tiktok',
          authorizationId,
          config: { advertiserId, audienceName: name, action },
          editableFields: ['audienceName', 'action'],
        })
        .expect(201)
    ).body.id as string;
    return { destinationId, tokenId: () => tokenId };
  }

  /** Follows PROCESSING exports as the scheduler would, an hour at a time, until none is left. */
  async function finish(ids: string[]): Promise<ExportBody[]> {
    for (let round = 0; round < 20; round++) {
      await settle();
      const found = await statuses(ids);
      if (found.every((body) => body.status === 'COMPLETED' || body.status === 'FAILED')) return found;
      clock.offsetMs += 60 * 60 * 1000;
      await api.app.get(UnitOfWork).run(() => api.app.get(ExportRunner).maintain());
    }
    return statuses(ids);
  }

  /** One request at a time: supertest closes the app's server after each, resetting any other in flight. */
  async function statuses(ids: string[]): Promise<ExportBody[]> {
    const found: ExportBody[] = [];
    for (const id of ids) found.push(await exported(id));
    return found;
  }

  /** A token of the emulator's own, to make the audiences Append and Replace act on. */
  async function emulatorToken(): Promise<string> {
    const callback = await tiktok.confirmConsent({ state: 'prior-audiences', redirectUri: CALLBACK });
    const answer = await fetch(`${tiktok.apiBaseUrl}/oauth2/access_token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        app_id: APP.appId,
        secret: APP.secret,
        auth_code: callback.searchParams.get('auth_code'),
      }),
    });
    return ((await answer.json()) as { data: { access_token: string } }).data.access_token;
  }

  async function priorAudience(
    token: string,
    advertiserId: string,
    name: string,
    list: string[],
  ): Promise<void> {
    const bytes = Buffer.from(list.map(sha256).join('\n'));
    const form = new FormData();
    form.set('advertiser_id', advertiserId);
    form.set('calculate_type', 'EMAIL_SHA256');
    form.set('file_signature', createHash('md5').update(bytes).digest('hex'));
    form.set('file', new Blob([bytes]), 'prior.csv');
    const uploaded = (await (
      await fetch(`${tiktok.apiBaseUrl}${UPLOAD}`, {
        method: 'POST',
        headers: { 'Access-Token': token },
        body: form,
      })
    ).json()) as { data: { file_path: string } };
    const created = (await (
      await fetch(`${tiktok.apiBaseUrl}${CREATE}`, {
        method: 'POST',
        headers: { 'Access-Token': token, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          advertiser_id: advertiserId,
          custom_audience_name: name,
          calculate_type: 'EMAIL_SHA256',
          file_paths: [uploaded.data.file_path],
        }),
      })
    ).json()) as { code: number };
    expect(created.code).toBe(0);
  }

  it('completes 20 exports through 5xx, 50000, 40100, drops, cut answers and 5 s latency spikes, exact and within the retry bounds', async () => {
    const priorToken = await emulatorToken();
    const runs = [];
    for (const { index, action, segment } of PLAN) {
      const { advertiserId } = ADVERTISERS[index];
      const name = `Hostile export ${index}`;
      const prior = action === 'Create' ? [] : emails(`prior${index}-`, 1500);
      if (prior.length) await priorAudience(priorToken, advertiserId, name, prior);
      runs.push({
        index,
        action,
        segment,
        advertiserId,
        name,
        prior,
        ...(await destination(name, advertiserId, action)),
      });
    }
    tiktok.emulator.finishProcessing();

    const callsBefore = tiktok.emulator.requests.length;
    tiktok.emulator.configureFaults(FAULT_MIX);
    // And for certain, whatever the draws: a few dropped uploads, and creates carried out whose answer
    // is cut (the retry must find the audience, not make a second one).
    tiktok.emulator.scheduleFault({ path: UPLOAD, outcome: 'drop', times: 2 });
    tiktok.emulator.scheduleFault({ path: CREATE, outcome: 'cutBody', times: 2 });
    const started = Date.now();
    const ids: string[] = [];
    for (const run of runs) {
      const accepted = await as(acme)
        .post(`${segmentsPath}/${segmentIds[run.segment]}/exports`, { destinationId: run.destinationId })
        .expect(202);
      ids.push(accepted.body.id);
    }
    let finished: ExportBody[];
    try {
      finished = await finish(ids);
    } finally {
      tiktok.emulator.configureFaults(NO_MIX);
      tiktok.emulator.clearScheduledFaults();
    }
    const elapsedMs = Date.now() - started;

    expect(finished.map((body) => [body.id, body.status, body.error])).toEqual(
      ids.map((id) => [id, 'COMPLETED', null]),
    );
    for (const run of runs) {
      const audiences = tiktok.emulator.inspectAudiences(run.advertiserId);
      // One audience per advertiser: no create was ever repeated.
      expect(audiences.map((audience) => audience['name'])).toEqual([run.name]);
      const expected =
        run.action === 'Append' ? [...run.prior, ...segmentLists[run.segment]] : segmentLists[run.segment];
      expect([run.index, audiences[0]['identifiers']]).toEqual([
        run.index,
        { EMAIL_SHA256: exactly(expected) },
      ]);
    }

    // Retries per export, from the emulator's log: every failed call was tried again, never more than
    // the policy allows (each call that succeeded was preceded by at most ATTEMPTS - 1 failures).
    const calls = tiktok.emulator.requests.slice(callsBefore);
    const faults: Partial<Record<FaultOutcome, number>> = {};
    for (const call of calls) if (call.fault) faults[call.fault] = (faults[call.fault] ?? 0) + 1;
    const spikes = calls.filter((call) => (call.delayedMs ?? 0) >= FAULT_MIX.latencySpikeMs).length;
    let retries = 0;
    let mostRetries = 0;
    let highestAttempt = 0;
    for (const [position, run] of runs.entries()) {
      const own = calls.filter((call) => call.tokenId !== undefined && call.tokenId === run.tokenId());
      const failed = own.filter(failedCall).length;
      const succeeded = own.length - failed;
      expect(own.length).toBeGreaterThanOrEqual(5); // user/info, 2+ uploads, create or update, status
      expect(failed).toBeLessThanOrEqual(succeeded * (ATTEMPTS - 1));
      retries += failed;
      mostRetries = Math.max(mostRetries, failed);
      for (const event of await events(ids[position])) {
        if (event.type !== 'RETRYING') continue;
        const [, attempt, of] = /\(attempt (\d+) of (\d+)\)\.$/.exec(event.message) ?? [];
        expect(Number(of)).toBe(ATTEMPTS);
        highestAttempt = Math.max(highestAttempt, Number(attempt));
      }
    }
    expect(highestAttempt).toBeLessThanOrEqual(ATTEMPTS);
    // The mix was real: every kind hit these exports.
    for (const kind of ['http5xx', 'systemError', 'rateLimited', 'drop', 'cutBody'] as const)
      expect([kind, (faults[kind] ?? 0) > 0]).toEqual([kind, true]);
    expect(spikes).toBeGreaterThan(0);
    const longest = Math.max(
      ...finished.map((body) => Date.parse(body.sentAt as string) - Date.parse(body.startedAt as string)),
    );
    const filesSent = calls.filter((call) => call.path === UPLOAD && !failedCall(call)).length;
    Object.assign(figures, {
      'exports completed': `${finished.filter((body) => body.status === 'COMPLETED').length}/${ids.length}`,
      'TikTok calls': calls.length,
      'files uploaded': filesSent,
      'faults injected': Object.entries(faults)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(' / '),
      'latency spikes (5 s)': spikes,
      retries,
      'most retries in one export': mostRetries,
      'highest attempt': `${highestAttempt} of ${ATTEMPTS}`,
      'longest export': `${(longest / 1000).toFixed(1)} s`,
      'fault mix wall time': `${(elapsedMs / 1000).toFixed(1)} s`,
    });
  }, 150_000);

  const TERMINAL = [
    {
      code: 40001,
      path: CREATE,
      errorCode: 'CREDENTIALS_REFUSED',
      message: /reconnect authorization .*Ad Account Operator or Admin/,
    },
    {
      code: 40105,
      path: UPLOAD,
      errorCode: 'CREDENTIALS_REFUSED',
      message: /reconnect authorization .*refused the access token \(40105/,
    },
    {
      code: 40002,
      path: UPLOAD,
      errorCode: 'INVALID_EXPORT',
      message: /^TikTok refused the customer file \(40002: .*key columns/,
    },
    {
      code: 40905,
      path: CREATE,
      errorCode: 'INVALID_EXPORT',
      message: /customer file \(40905: .*upload the file again/,
    },
    {
      code: 40906,
      path: UPLOAD,
      errorCode: 'INVALID_EXPORT',
      message: /customer file \(40906: .*the file is empty/,
    },
    {
      code: 40907,
      path: UPLOAD,
      errorCode: 'INVALID_EXPORT',
      message: /customer file \(40907: .*larger than TikTok allows/,
    },
    {
      code: 40908,
      path: UPLOAD,
      errorCode: 'INVALID_EXPORT',
      message: /customer file \(40908: .*\.csv and \.txt/,
    },
    {
      code: 40915,
      path: UPLOAD,
      errorCode: 'INVALID_EXPORT',
      message: /customer file \(40915: .*check the file/,
    },
  ];

  it('fails an export at once on each terminal code, with a message to act on', async () => {
    const [, , , , , , , , , , , , , , , , , , , , spare] = ADVERTISERS;
    let atOnce = 0;
    for (const { code, path, errorCode, message } of TERMINAL) {
      // Credentials refused mark the connection REVOKED: each such case gets a connection of its own.
      const { destinationId, tokenId } = await destination(`Terminal ${code}`, spare.advertiserId, 'Create');
      const callsBefore = tiktok.emulator.requests.length;
      // Twice: a retry would meet the same answer, and show up as a second call.
      tiktok.emulator.scheduleFault({ path, outcome: 'code', code, times: 2 });
      const accepted = await as(acme)
        .post(`${segmentsPath}/${smallSegment}/exports`, { destinationId })
        .expect(202);
      const [body] = await finish([accepted.body.id]);
      tiktok.emulator.clearScheduledFaults();
      const calls = tiktok.emulator.requests
        .slice(callsBefore)
        .filter((call) => call.path === path && call.tokenId === tokenId());
      expect([code, body.status, body.error?.code]).toEqual([code, 'FAILED', errorCode]);
      expect(body.error?.message).toMatch(message);
      expect([code, calls.map((call) => call.code)]).toEqual([code, [code]]);
      expect((await events(body.id)).filter((event) => event.type === 'RETRYING')).toEqual([]);
      atOnce++;
    }
    // 40900 (signature mismatch) is the reference's one exception: the upload is tried once more.
    const { destinationId, tokenId } = await destination('Terminal 40900', spare.advertiserId, 'Create');
    const callsBefore = tiktok.emulator.requests.length;
    tiktok.emulator.scheduleFault({ path: UPLOAD, outcome: 'code', code: 40900, times: 3 });
    const accepted = await as(acme)
      .post(`${segmentsPath}/${smallSegment}/exports`, { destinationId })
      .expect(202);
    const [body] = await finish([accepted.body.id]);
    tiktok.emulator.clearScheduledFaults();
    expect([body.status, body.error?.message]).toEqual([
      'FAILED',
      expect.stringMatching(/file signature does not match/),
    ]);
    expect(
      tiktok.emulator.requests
        .slice(callsBefore)
        .filter((call) => call.path === UPLOAD && call.tokenId === tokenId()),
    ).toHaveLength(2);
    figures['terminal codes failed at once'] = `${atOnce}/${TERMINAL.length}`;
    figures['40900 tried'] = '2 uploads, then failed';
  }, 120_000);

  const MALFORMED: {
    outcome: FaultOutcome;
    path: string;
    calls: number;
    errorCode: string;
    message: RegExp;
  }[] = [
    {
      outcome: 'notJson',
      path: CREATE,
      calls: ATTEMPTS,
      errorCode: 'PROVIDER_ERROR',
      message:
        /answer to POST dmp\/custom_audience\/create\/ is not a TikTok response \(HTTP 200, not JSON but an HTML or XML page/,
    },
    {
      outcome: 'noEnvelope',
      path: UPLOAD,
      calls: ATTEMPTS,
      errorCode: 'PROVIDER_ERROR',
      message:
        /answer to POST dmp\/custom_audience\/file\/upload\/ is not a TikTok response \(HTTP 200, JSON without TikTok's envelope/,
    },
    {
      outcome: 'hugeBody',
      path: CREATE,
      calls: 1,
      errorCode: 'PROVIDER_ERROR',
      message: /answer to POST dmp\/custom_audience\/create\/ is larger than 1 MB/,
    },
    {
      outcome: 'hugeBody',
      path: UPLOAD,
      calls: 1,
      errorCode: 'PROVIDER_ERROR',
      message: /answer to POST dmp\/custom_audience\/file\/upload\/ is larger than 1 MB/,
    },
    {
      outcome: 'missingFields',
      path: UPLOAD,
      calls: 1,
      errorCode: 'PROVIDER_ERROR',
      message: /answer to POST dmp\/custom_audience\/file\/upload\/ has no valid file_path/,
    },
    {
      outcome: 'missingFields',
      path: CREATE,
      calls: 1,
      errorCode: 'PROVIDER_ERROR',
      message: /answer to POST dmp\/custom_audience\/create\/ has no valid custom_audience_id/,
    },
    {
      outcome: 'cutBody',
      path: UPLOAD,
      calls: ATTEMPTS,
      errorCode: 'PROVIDER_UNAVAILABLE',
      message: /answer to POST dmp\/custom_audience\/file\/upload\/ was cut off mid-body/,
    },
  ];

  it('fails an export with a clear error on each malformed answer, and serves on', async () => {
    const [, , , , , , , , , , , , , , , , , , , , spare] = ADVERTISERS;
    const { destinationId, tokenId } = await destination('Malformed answers', spare.advertiserId, 'Create');
    let handled = 0;
    const messages: string[] = [];
    for (const [index, { outcome, path, calls, errorCode, message }] of MALFORMED.entries()) {
      const callsBefore = tiktok.emulator.requests.length;
      // More than any retry policy would use: a malformed answer every time.
      tiktok.emulator.scheduleFault({ path, outcome, times: 100 });
      const accepted = await as(acme)
        .post(`${segmentsPath}/${smallSegment}/exports`, {
          destinationId,
          overrides: { audienceName: `Malformed answer ${index}` },
        })
        .expect(202);
      const [body] = await finish([accepted.body.id]);
      tiktok.emulator.clearScheduledFaults();
      const made = tiktok.emulator.requests
        .slice(callsBefore)
        .filter((call) => call.path === path && call.tokenId === tokenId());
      expect([outcome, path, body.status, body.error?.code]).toEqual([outcome, path, 'FAILED', errorCode]);
      expect(body.error?.message).toMatch(message);
      // Short and clean: no body quoted, no TypeError, no token.
      expect(body.error?.message.length).toBeLessThan(700);
      expect(body.error?.message).not.toMatch(/TypeError|Cannot read|undefined|<html|padding|xxxxxxxx/i);
      expect([outcome, path, made.length]).toEqual([outcome, path, calls]);
      messages.push(body.error?.message as string);
      // The process still serves.
      await api.http.get('/health').expect(200);
      handled++;
    }
    // And a clean export right after still completes.
    const accepted = await as(acme)
      .post(`${segmentsPath}/${smallSegment}/exports`, {
        destinationId,
        overrides: { audienceName: 'After the storm' },
      })
      .expect(202);
    const [after] = await finish([accepted.body.id]);
    expect([after.status, after.error]).toEqual(['COMPLETED', null]);
    figures['malformed answers handled'] = `${handled}/${MALFORMED.length}`;
    process.stdout.write(
      `malformed answers, as the user reads them:\n${messages.map((line) => `  ${line}`).join('\n')}\n`,
    );
  }, 120_000);

  it('never crashed a worker: no internal error, no TypeError logged, no unhandled rejection', async () => {
    const lines = api.logs.flatMap((chunk) => chunk.split('\n')).filter((line) => line.length > 0);
    const logged = lines.filter((line) => /TypeError|Cannot read propert|unhandled/i.test(line));
    // An export failed on a fault of Conduit's is logged at error level, its code nowhere in the line
    // (the export's record has it): every line at error level or above is one.
    const internal = lines.filter((line) => /INTERNAL_ERROR/.test(line) || logLevel(line) >= 50);
    expect(logged).toEqual([]);
    expect(internal.map((line) => line.slice(0, 2000))).toEqual([]);
    expect(unhandled).toEqual([]);
    figures['worker crashes'] = logged.length + internal.length + unhandled.length;
    recordFigures('Provider faults', figures);
  });
});

/** A pino line's level (0 for a line that is not one). */
function logLevel(line: string): number {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' ? level : 0;
  } catch {
    return 0;
  }
}
