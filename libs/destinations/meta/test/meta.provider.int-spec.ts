import {
  InMemoryRateLimiter,
  InvalidCredentialsError,
  ProviderLimitError,
  type ExportCheckpoint,
  type RequestRateLimiter,
} from '@conduit/destinations-core';
import { META_AUDIENCE_REFERENCE, type MetaProvider } from '../src';
import {
  AD_ACCOUNT,
  AD_ACCOUNT_WITHOUT_TERMS,
  APP,
  emailHashes,
  recordingReporter,
  startMetaWorld,
  type MetaWorld,
  type RecordingReporter,
} from './meta-fixture';
import {
  emailRows,
  expectedOf,
  exportsOn,
  PERSON_MAPPING,
  range,
  rowsOf,
  USERS_ROUTE,
} from './meta-segments';

describe('MetaProvider against the Meta emulator: exports', () => {
  let world: MetaWorld;
  let meta: MetaProvider;
  let on: ReturnType<typeof exportsOn>;

  beforeAll(async () => {
    world = await startMetaWorld();
    meta = world.provider;
    on = exportsOn(world);
  }, 60_000);

  afterAll(() => world.close());

  it('Create → Append → Replace: the audience holds exactly the identifiers sent (phones hashed without +, MADIDs unhashed and lowercase)', async () => {
    const name = 'Lifecycle';
    const created = await meta.export(
      on.request({ segment: rowsOf(range(0, 30)), mapping: PERSON_MAPPING, config: on.config(name) }),
      recordingReporter(),
    );
    const [reference] = created.references;
    expect(reference).toMatchObject({ kind: META_AUDIENCE_REFERENCE, name });
    expect(created.counts).toMatchObject({ read: 30, valid: 90, uploaded: 90, invalid: {} });
    let held = await on.audience(reference.id);
    expect(held.identifiers).toEqual(expectedOf(range(0, 30)));
    expect(held.sessions).toEqual([
      expect.objectContaining({ kind: 'add', state: 'finished', num_received: 30 }),
    ]);

    await meta.export(
      on.request({
        segment: rowsOf(range(20, 50)),
        mapping: PERSON_MAPPING,
        config: on.config(name, 'Append'),
        previousReferences: created.references,
      }),
      recordingReporter(),
    );
    held = await on.audience(reference.id);
    expect(held.identifiers).toEqual(expectedOf(range(0, 50)));

    const replaced = await meta.export(
      on.request({
        segment: rowsOf(range(100, 110)),
        mapping: PERSON_MAPPING,
        config: on.config(name, 'Replace'),
        previousReferences: created.references,
      }),
      recordingReporter(),
    );
    expect(replaced.references).toEqual(created.references);
    held = await on.audience(reference.id);
    expect(held.identifiers).toEqual(expectedOf(range(100, 110)));
    expect(held.sessions.at(-1)).toMatchObject({ kind: 'replace', state: 'finished', num_received: 10 });
  });

  it('sends 25,000 rows as 3 batches of one session, the last one flagged', async () => {
    const reporter = recordingReporter();
    const result = await meta.export(
      on.request({ segment: emailRows(25_000, 'bulk'), config: on.config('Bulk'), totalRows: 25_000 }),
      reporter,
    );
    expect(result.counts).toMatchObject({ read: 25_000, uploaded: 25_000, files: 3 });
    const held = await on.audience(result.references[0].id);
    expect(held.size).toBe(25_000);
    expect(held.sessions).toHaveLength(1);
    // Two batches travel at once, so 1 and 2 may arrive in either order; the flagged one comes last.
    expect(held.sessions[0].batches.at(-1)).toMatchObject({ batch_seq: 3, last_batch_flag: true });
    expect(
      held.sessions[0].batches
        .map((batch) => [batch.batch_seq, batch.rows, batch.last_batch_flag])
        .sort(([a], [b]) => Number(a) - Number(b)),
    ).toEqual([
      [1, 10_000, false],
      [2, 10_000, false],
      [3, 5_000, true],
    ]);
    expect(reporter.milestones.filter((milestone) => milestone.type === 'FILE_UPLOADED')).toHaveLength(3);
  });

  it('resumes after a failure mid-way in the same session, continuing its batch sequence: no row doubled or lost', async () => {
    const sequential = world.providerWith({ concurrency: 1 });
    const segment = emailRows(25_000, 'resumed');
    const first = recordingReporter();
    const failing = {
      ...first,
      milestone: (milestone: Parameters<NonNullable<RecordingReporter['milestone']>>[0]) => {
        first.milestone?.(milestone);
        // Once batch 1 is accepted and recorded, Meta refuses the next one for a reason no retry cures.
        if (milestone.type === 'FILE_UPLOADED' && milestone.data?.['batch'] === 1)
          world.running.emulator.scheduleFault({
            route: USERS_ROUTE,
            outcome: 'code',
            code: 368,
            times: 1,
          });
      },
    };
    const exported = on.request({ segment, config: on.config('Resumed') });
    await expect(sequential.export(exported, failing)).rejects.toMatchObject({ providerCode: 368 });
    const checkpoint = first.checkpoints.at(-1) as ExportCheckpoint;
    expect(checkpoint.state['sent']).toMatchObject({ chunks: 1, throughRow: 10_000 });

    const resumed = await sequential.export({ ...exported, checkpoint }, recordingReporter());
    expect(resumed.counts).toMatchObject({ read: 25_000, uploaded: 25_000, files: 3 });
    const held = await on.audience(resumed.references[0].id);
    expect(held.identifiers.EMAIL).toEqual([...emailHashes(25_000, 'resumed')].sort());
    expect(held.sessions).toHaveLength(1);
    expect(held.sessions[0].batches.map((batch) => batch.batch_seq)).toEqual([1, 2, 3]);
    expect(held.sessions[0].num_received).toBe(25_000);
  });

  it('adopts the audience a create made when its answer was lost, instead of making a second', async () => {
    world.running.emulator.scheduleFault({
      route: 'POST /act_{ad_account_id}/customaudiences',
      outcome: 'lostAnswer',
      times: 1,
    });
    const result = await meta.export(
      on.request({ segment: emailRows(10, 'adopted'), config: on.config('Adopted after a lost answer') }),
      recordingReporter(),
    );
    const { audiences } = await world.inspect<{ audiences: { audience_id: string; name: string }[] }>(
      '/audiences',
    );
    const named = audiences.filter((candidate) => candidate.name === 'Adopted after a lost answer');
    expect(named.map((candidate) => candidate.audience_id)).toEqual([result.references[0].id]);
  });

  it('refuses a Create on an ad account whose terms are not accepted, before anything is sent, linking to them', async () => {
    const refused = await meta
      .preflight({
        config: on.config('No terms', 'Create', AD_ACCOUNT_WITHOUT_TERMS),
        credentials: { accessToken: world.accessToken },
      })
      .catch((error) => error);
    expect(refused).toBeInstanceOf(ProviderLimitError);
    expect(refused.message).toContain(
      'https://business.facebook.com/ads/manage/customaudiences/tos/?act=1200000000000002',
    );
    const before = world.running.emulator.requests.length;
    await expect(
      meta.export(
        on.request({
          segment: emailRows(10, 'noterms'),
          config: on.config('No terms', 'Create', AD_ACCOUNT_WITHOUT_TERMS),
        }),
        recordingReporter(),
      ),
    ).rejects.toMatchObject({ kind: 'PROVIDER_LIMIT', limit: 'customAudienceTerms' });
    expect(on.requestsSince(before).map((entry) => entry.route)).toEqual(['GET /act_{ad_account_id}']);
  });

  it('fails an export with an expired token (190/463) before reading the segment', async () => {
    const expiring = await world.logIn();
    world.running.emulator.expireTokens(expiring);
    let read = false;
    await expect(
      meta.export(
        on.request({
          segment: async function* () {
            read = true;
            yield { email: 'a@example.com' };
          },
          config: on.config('Expired'),
          credentials: { accessToken: expiring },
        }),
        recordingReporter(),
      ),
    ).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(read).toBe(false);
  });

  it('backs off when Meta throttles (80003 with its usage header), then completes', async () => {
    world.running.emulator.scheduleFault({ route: USERS_ROUTE, outcome: 'throttled', times: 2 });
    const reporter = recordingReporter();
    const result = await meta.export(
      on.request({ segment: emailRows(50, 'throttled'), config: on.config('Throttled') }),
      reporter,
    );
    expect(result.counts.uploaded).toBe(50);
    const retries = reporter.milestones.filter((milestone) => milestone.type === 'RETRYING');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ data: { kind: 'RATE_LIMITED' } });
    expect(retries[0].message).toMatch(/Meta throttled POST \{audience_id\}\/users \(80003\/2446079/);
    expect((await on.audience(result.references[0].id)).size).toBe(50);
  });

  it('paces itself by the ad account’s custom_audience budget: Meta’s usage headers pause that account’s calls, and the export completes', async () => {
    const admin = (method: string, body?: unknown) =>
      fetch(`${world.running.url}/_emulator/throttle`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((response) => response.json() as Promise<Record<string, number>>);
    const settings = await admin('GET');
    // Three calls per 300 ms on the account: the export's list, create and batches go past it.
    await admin('POST', { customAudienceCalls: 3, perAudienceCalls: 0, windowMs: 300 });
    await admin('DELETE');
    const limiter = new InMemoryRateLimiter({ perSecond: 10_000 });
    const paused: [string, number][] = [];
    const recording: RequestRateLimiter = {
      acquire: (key) => limiter.acquire(key),
      pause: (key, ms) => {
        paused.push([key, ms]);
        return limiter.pause(key, ms);
      },
    };
    try {
      const patient = world.providerWith({
        batchRows: 10,
        concurrency: 1,
        rateLimiter: recording,
        retryPolicy: { attempts: 12, baseDelayMs: 50, maxDelayMs: 400 },
      });
      const result = await patient.export(
        on.request({ segment: emailRows(40, 'limited'), config: on.config('Limited') }),
        recordingReporter(),
      );
      expect(result.counts.uploaded).toBe(40);
      expect((await on.audience(result.references[0].id)).size).toBe(40);
      // Meta said the account's budget was spent (X-Ad-Account-Usage at 100 %, or an 80003): only
      // that ad account's calls were held, for no longer than the retry policy's longest wait.
      expect(paused.length).toBeGreaterThan(0);
      for (const [key, ms] of paused) {
        expect(key).toBe(`${APP.appId}:${AD_ACCOUNT}`);
        expect(ms).toBeGreaterThan(0);
        expect(ms).toBeLessThanOrEqual(400);
      }
    } finally {
      await admin('POST', settings);
      await admin('DELETE');
    }
  });

  it('counts what Meta found invalid into the export’s invalid reasons, samples masked', async () => {
    world.running.emulator.alterAnswers((route, body) =>
      route === USERS_ROUTE
        ? {
            ...body,
            num_invalid_entries: 2,
            invalid_entry_samples: { 'bad-value-1': 'EMAIL', bad2: 'EMAIL' },
          }
        : body,
    );
    try {
      const result = await meta.export(
        on.request({ segment: emailRows(20, 'invalid'), config: on.config('Invalid entries') }),
        recordingReporter(),
      );
      expect(result.counts.invalid).toEqual({ MALFORMED: 2 });
      expect(result.counts.byKeyType?.EMAIL?.invalidExamples).toEqual({
        MALFORMED: ['b••-v••••-1', 'b•••'],
      });
      expect(JSON.stringify(result.counts)).not.toContain('bad-value-1');
    } finally {
      world.running.emulator.alterAnswers(undefined);
    }
  });

  it('follows processing: PROCESSING while Meta populates the audience, then READY with its approximate size', async () => {
    const result = await meta.export(
      on.request({ segment: emailRows(500, 'status'), config: on.config('Status') }),
      recordingReporter(),
    );
    const input = {
      config: on.config('Status'),
      credentials: { accessToken: world.accessToken },
      references: result.references,
    };
    expect(await meta.getStatus(input)).toMatchObject({ state: 'PROCESSING' });
    world.running.emulator.finishProcessing();
    const ready = await meta.getStatus(input);
    expect(ready.state).toBe('READY');
    // Bounds ±2 % around the matched people (the emulator matches about 80 %).
    expect(ready.audienceSize).toBeGreaterThan(300);
    expect(ready.audienceSize).toBeLessThan(500);
  });

  it('refuses a mobile advertiser id column declared SHA-256: Meta matches them unhashed', async () => {
    await expect(
      meta.export(
        on.request({
          segment: emailRows(1, 'x'),
          mapping: [{ column: 'maid', keyType: 'MAID', encoding: 'SHA256' }],
          config: on.config('Hashed MAID'),
        }),
        recordingReporter(),
      ),
    ).rejects.toMatchObject({ kind: 'PAYLOAD_VALIDATION', field: 'mapping.maid' });
  });
});
