import { createHmac } from 'node:crypto';
import {
  InvalidCredentialsError,
  ProviderLimitError,
  type ExportCheckpoint,
  type ExportRequest,
  type KeyMapping,
  type SegmentRow,
} from '@conduit/destinations-core';
import type { RequestLogEntry } from '@conduit/meta-emulator';
import { META_AUDIENCE_REFERENCE, type MetaProvider } from '../src';
import {
  AD_ACCOUNT,
  AD_ACCOUNT_WITHOUT_TERMS,
  APP,
  emailHashes,
  recordingReporter,
  sha256,
  startMetaWorld,
  type InspectedAudience,
  type MetaWorld,
  type RecordingReporter,
} from './meta-fixture';

const USERS_ROUTE = 'POST /{audience_id}/users';

/** A person: an email, a phone written as people write it, and an upper-case mobile advertiser id. */
function person(index: number): SegmentRow {
  const hex = index.toString(16).padStart(12, '0');
  return {
    email: ` Person${index}@Example.com `,
    phone: `+1 (415) 555-${String(1000 + index).slice(-4)}`,
    maid: `6D92078A-8246-4BA4-AE5B-${hex.toUpperCase()}`,
  };
}

/** What Meta must hold for a person: email and phone hashed (the phone from its digits, no `+`), the MADID as it is, lowercase. */
function expectedOf(indexes: readonly number[]): { EMAIL: string[]; PHONE: string[]; MADID: string[] } {
  const sorted = (values: string[]) => [...new Set(values)].sort();
  return {
    EMAIL: sorted(indexes.map((index) => sha256(`person${index}@example.com`))),
    PHONE: sorted(indexes.map((index) => sha256(`1415555${String(1000 + index).slice(-4)}`))),
    MADID: sorted(indexes.map((index) => `6d92078a-8246-4ba4-ae5b-${index.toString(16).padStart(12, '0')}`)),
  };
}

const PERSON_MAPPING: readonly KeyMapping[] = [
  { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
  { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
  { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
];
const EMAIL_MAPPING: readonly KeyMapping[] = [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }];

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe('MetaProvider against the Meta emulator', () => {
  let world: MetaWorld;
  let meta: MetaProvider;

  beforeAll(async () => {
    world = await startMetaWorld();
    meta = world.provider;
  }, 60_000);

  afterAll(() => world.close());

  const config = (audienceName: string, action = 'Create', adAccountId = AD_ACCOUNT) => ({
    adAccountId,
    audienceName,
    action,
    customerFileSource: 'USER_PROVIDED_ONLY',
  });

  function request(
    overrides: Partial<ExportRequest> & { segment: () => AsyncIterable<SegmentRow> },
  ): ExportRequest {
    const { segment, ...rest } = overrides;
    return {
      exportId: 'exp_meta',
      rows: segment,
      mapping: EMAIL_MAPPING,
      config: config('Unnamed'),
      credentials: { accessToken: world.accessToken },
      ...rest,
    };
  }

  const rowsOf = (indexes: readonly number[]) =>
    async function* () {
      for (const index of indexes) yield person(index);
    };
  const emailRows = (count: number, label: string) =>
    async function* () {
      for (let index = 0; index < count; index++) yield { email: `${label}${index}@example.com` };
    };

  const audience = (id: string) => world.inspect<InspectedAudience>(`/audiences/${id}`);
  const requestsSince = (count: number): readonly RequestLogEntry[] =>
    world.running.emulator.requests.slice(count);

  describe('Facebook Login', () => {
    it('sends the person to the dialog with the app, the redirect URI, the state and ads_management', () => {
      const url = new URL(
        meta.authorization.buildAuthorizeUrl({ state: 'st4te', redirectUri: APP.redirectUris[0] }),
      );
      expect(`${url.origin}${url.pathname}`).toBe(world.running.dialogUrl);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: APP.appId,
        redirect_uri: APP.redirectUris[0],
        state: 'st4te',
        response_type: 'code',
        scope: 'ads_management',
      });
      expect(meta.authorization.callbackCodeParameter).toBe('code');
    });

    it('defaults to Facebook’s dialog of the configured Graph version', () => {
      const url = world
        .providerWith({ dialogUrl: undefined, graphVersion: 'v24.0' })
        .authorization.buildAuthorizeUrl({ state: 's', redirectUri: 'https://conduit.example/cb' });
      expect(url).toMatch(/^https:\/\/www\.facebook\.com\/v24\.0\/dialog\/oauth\?/);
    });

    it('swaps the code for a long-lived token and lists the ad accounts as act_ ids', async () => {
      const tokens = await world.inspect<{ tokens: { kind: string }[] }>('/tokens');
      // The code exchange's short token, then the long-lived one the credentials hold.
      expect(tokens.tokens.map((token) => token.kind)).toContain('long');
      const { accounts } = await meta.authorization.checkHealth({ accessToken: world.accessToken });
      expect(accounts).toEqual([
        { id: AD_ACCOUNT, name: 'Emulated Ad Account One' },
        { id: AD_ACCOUNT_WITHOUT_TERMS, name: 'Emulated Ad Account Two (terms not accepted)' },
      ]);
    });

    it('signs every call with appsecret_proof and calls the configured Graph version', async () => {
      const before = world.running.emulator.requests.length;
      // The emulator requires the proof (fixture): a call without it, or with a wrong one, answers 100.
      await meta.authorization.listAccounts({ accessToken: world.accessToken });
      expect(requestsSince(before)).toEqual([expect.objectContaining({ code: null, version: 'v25.0' })]);
      const older = world.providerWith({ graphVersion: 'v24.0' });
      await older.authorization.listAccounts({ accessToken: world.accessToken });
      expect(world.running.emulator.requests.at(-1)).toMatchObject({ code: null, version: 'v24.0' });
    });

    it('says to reconnect when the token expired (190/463), and after the app was removed (revoke: 190/458)', async () => {
      const expiring = await world.logIn();
      world.running.emulator.expireTokens(expiring);
      const expired = await meta.authorization.checkHealth({ accessToken: expiring }).catch((error) => error);
      expect(expired).toBeInstanceOf(InvalidCredentialsError);
      expect(expired).toMatchObject({ providerCode: '190/463' });
      expect(expired.message).toMatch(/expired.*reconnect the Meta Ads authorization/s);
      expect(expired.message).not.toContain(expiring);

      const removed = await world.logIn();
      // Revoking removes the app for the person: every token of theirs dies, so use a second world.
      const other = await startMetaWorld();
      try {
        await other.provider.authorization.revoke({ accessToken: other.accessToken });
        const refused = await other.provider.authorization
          .checkHealth({ accessToken: other.accessToken })
          .catch((error) => error);
        expect(refused).toBeInstanceOf(InvalidCredentialsError);
        expect(refused).toMatchObject({ providerCode: '190/458' });
        expect(refused.message).toMatch(/removed the app.*reconnect/s);
        // Revoking a dead token again is not an error: there is nothing left to revoke.
        await expect(
          other.provider.authorization.revoke({ accessToken: other.accessToken }),
        ).resolves.toBeUndefined();
      } finally {
        await other.close();
      }
      await expect(meta.authorization.checkHealth({ accessToken: removed })).resolves.toBeDefined();
    });
  });

  describe('exports', () => {
    it('Create → Append → Replace: the audience holds exactly the identifiers sent (phones hashed without +, MADIDs unhashed and lowercase)', async () => {
      const name = 'Lifecycle';
      const created = await meta.export(
        request({ segment: rowsOf(range(0, 30)), mapping: PERSON_MAPPING, config: config(name) }),
        recordingReporter(),
      );
      const [reference] = created.references;
      expect(reference).toMatchObject({ kind: META_AUDIENCE_REFERENCE, name });
      expect(created.counts).toMatchObject({ read: 30, valid: 90, uploaded: 90, invalid: {} });
      let held = await audience(reference.id);
      expect(held.identifiers).toEqual(expectedOf(range(0, 30)));
      expect(held.sessions).toEqual([
        expect.objectContaining({ kind: 'add', state: 'finished', num_received: 30 }),
      ]);

      await meta.export(
        request({
          segment: rowsOf(range(20, 50)),
          mapping: PERSON_MAPPING,
          config: config(name, 'Append'),
          previousReferences: created.references,
        }),
        recordingReporter(),
      );
      held = await audience(reference.id);
      expect(held.identifiers).toEqual(expectedOf(range(0, 50)));

      const replaced = await meta.export(
        request({
          segment: rowsOf(range(100, 110)),
          mapping: PERSON_MAPPING,
          config: config(name, 'Replace'),
          previousReferences: created.references,
        }),
        recordingReporter(),
      );
      expect(replaced.references).toEqual(created.references);
      held = await audience(reference.id);
      expect(held.identifiers).toEqual(expectedOf(range(100, 110)));
      expect(held.sessions.at(-1)).toMatchObject({ kind: 'replace', state: 'finished', num_received: 10 });
    });

    it('sends 25,000 rows as 3 batches of one session, the last one flagged', async () => {
      const reporter = recordingReporter();
      const result = await meta.export(
        request({ segment: emailRows(25_000, 'bulk'), config: config('Bulk'), totalRows: 25_000 }),
        reporter,
      );
      expect(result.counts).toMatchObject({ read: 25_000, uploaded: 25_000, files: 3 });
      const held = await audience(result.references[0].id);
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
      const exported = request({ segment, config: config('Resumed') });
      await expect(sequential.export(exported, failing)).rejects.toMatchObject({ providerCode: 368 });
      const checkpoint = first.checkpoints.at(-1) as ExportCheckpoint;
      expect(checkpoint.state['sent']).toMatchObject({ chunks: 1, throughRow: 10_000 });

      const resumed = await sequential.export({ ...exported, checkpoint }, recordingReporter());
      expect(resumed.counts).toMatchObject({ read: 25_000, uploaded: 25_000, files: 3 });
      const held = await audience(resumed.references[0].id);
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
        request({ segment: emailRows(10, 'adopted'), config: config('Adopted after a lost answer') }),
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
          config: config('No terms', 'Create', AD_ACCOUNT_WITHOUT_TERMS),
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
          request({
            segment: emailRows(10, 'noterms'),
            config: config('No terms', 'Create', AD_ACCOUNT_WITHOUT_TERMS),
          }),
          recordingReporter(),
        ),
      ).rejects.toMatchObject({ kind: 'PROVIDER_LIMIT', limit: 'customAudienceTerms' });
      expect(requestsSince(before).map((entry) => entry.route)).toEqual(['GET /act_{ad_account_id}']);
    });

    it('fails an export with an expired token (190/463) before reading the segment', async () => {
      const expiring = await world.logIn();
      world.running.emulator.expireTokens(expiring);
      let read = false;
      await expect(
        meta.export(
          request({
            segment: async function* () {
              read = true;
              yield { email: 'a@example.com' };
            },
            config: config('Expired'),
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
        request({ segment: emailRows(50, 'throttled'), config: config('Throttled') }),
        reporter,
      );
      expect(result.counts.uploaded).toBe(50);
      const retries = reporter.milestones.filter((milestone) => milestone.type === 'RETRYING');
      expect(retries).toHaveLength(2);
      expect(retries[0]).toMatchObject({ data: { kind: 'RATE_LIMITED' } });
      expect(retries[0].message).toMatch(/Meta throttled POST \{audience_id\}\/users \(80003\/2446079/);
      expect((await audience(result.references[0].id)).size).toBe(50);
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
          request({ segment: emailRows(20, 'invalid'), config: config('Invalid entries') }),
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

    it('waits while another replace holds the audience (2650/1870145), then replaces', async () => {
      const created = await meta.export(
        request({ segment: emailRows(5, 'busy'), config: config('Busy') }),
        recordingReporter(),
      );
      const audienceId = created.references[0].id;
      // Someone else's replace, started and left open.
      const other = (batchSeq: number, last: boolean) =>
        graphPost(`${audienceId}/usersreplace`, {
          session: { session_id: 4242, batch_seq: batchSeq, last_batch_flag: last },
          payload: { schema: ['EMAIL'], data: [[sha256('other@example.com')]] },
        });
      expect(await other(1, false)).toMatchObject({ session_id: '4242' });
      const reporter = recordingReporter();
      const waited = {
        ...reporter,
        milestone: (milestone: Parameters<NonNullable<RecordingReporter['milestone']>>[0]) => {
          reporter.milestone?.(milestone);
          // The other replace finishes while the export waits.
          if (milestone.type === 'WAITING') void other(2, true);
        },
      };
      await meta.export(
        request({
          segment: emailRows(7, 'replacing'),
          config: config('Busy', 'Replace'),
          previousReferences: created.references,
        }),
        waited,
      );
      expect(reporter.milestones.map((milestone) => milestone.type)).toContain('WAITING');
      expect((await audience(audienceId)).identifiers.EMAIL).toEqual([...emailHashes(7, 'replacing')].sort());
    });

    it('opens a replace session with batch 1 before sending any other, however many travel at once', async () => {
      const wide = world.providerWith({ batchRows: 5, concurrency: 4 });
      const created = await wide.export(
        request({ segment: emailRows(3, 'wide-before'), config: config('Wide replace') }),
        recordingReporter(),
      );
      // Half the calls slowed down at random: batches overtake one another.
      world.running.emulator.configureFaults({ latencySpikeRate: 0.5, latencySpikeMs: 40 }, 7);
      try {
        for (let round = 0; round < 8; round++) {
          await wide.export(
            request({
              segment: emailRows(60, `wide${round}`),
              config: config('Wide replace', 'Replace'),
              previousReferences: created.references,
            }),
            recordingReporter(),
          );
          const held = await audience(created.references[0].id);
          expect(held.identifiers.EMAIL).toEqual([...emailHashes(60, `wide${round}`)].sort());
          expect(held.sessions.at(-1)?.batches[0]).toMatchObject({ batch_seq: 1 });
        }
      } finally {
        world.running.emulator.configureFaults({ latencySpikeRate: 0, latencySpikeMs: 0 });
      }
    });

    it('follows processing: PROCESSING while Meta populates the audience, then READY with its approximate size', async () => {
      const result = await meta.export(
        request({ segment: emailRows(500, 'status'), config: config('Status') }),
        recordingReporter(),
      );
      const input = {
        config: config('Status'),
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
          request({
            segment: emailRows(1, 'x'),
            mapping: [{ column: 'maid', keyType: 'MAID', encoding: 'SHA256' }],
            config: config('Hashed MAID'),
          }),
          recordingReporter(),
        ),
      ).rejects.toMatchObject({ kind: 'PAYLOAD_VALIDATION', field: 'mapping.maid' });
    });
  });

  /** A raw Graph POST as another tool of the same person would make it (Bearer token and proof). */
  async function graphPost(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const proof = createHmac('sha256', APP.secret).update(world.accessToken).digest('hex');
    const response = await fetch(`${world.running.graphUrl}/${path}?appsecret_proof=${proof}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${world.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  }
});

describe('MetaProvider: a replace resumed after Meta’s 90-minute window', () => {
  // The emulator's time moves on demand: Meta's window passes without waiting for it.
  let now = Date.parse('2026-03-01T12:00:00.000Z');
  const clock = { now: () => new Date(now) };
  let world: MetaWorld;

  beforeAll(async () => {
    world = await startMetaWorld({ clock }, { batchRows: 10, concurrency: 1 });
  }, 60_000);

  afterAll(() => world.close());

  it('fails as retryable when Meta ends the replace session mid-run (2650/1870158), without retrying it there', async () => {
    const created = await world.provider.export(
      {
        exportId: 'exp_timed_out',
        rows: async function* () {
          yield { email: 'kept@example.com' };
        },
        mapping: EMAIL_MAPPING,
        config: { adAccountId: AD_ACCOUNT, audienceName: 'Timed out', action: 'Create' },
        credentials: { accessToken: world.accessToken },
      },
      recordingReporter(),
    );
    world.running.emulator.scheduleFault({
      route: 'POST /{audience_id}/usersreplace',
      outcome: 'code',
      code: 2650,
      subcode: 1870158,
      times: 1,
    });
    const before = world.running.emulator.requests.length;
    const failure = await world.provider
      .export(
        {
          exportId: 'exp_timed_out',
          rows: async function* () {
            yield { email: 'new@example.com' };
          },
          mapping: EMAIL_MAPPING,
          config: { adAccountId: AD_ACCOUNT, audienceName: 'Timed out', action: 'Replace' },
          credentials: { accessToken: world.accessToken },
          previousReferences: created.references,
        },
        recordingReporter(),
      )
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'RETRYABLE' });
    expect((failure as Error).message).toMatch(/starts a new session and sends every row again/);
    const replaces = world.running.emulator.requests
      .slice(before)
      .filter((entry) => entry.route === 'POST /{audience_id}/usersreplace');
    expect(replaces).toHaveLength(1);
  });

  it('starts a new session from batch 1 and sends every row again, saying so', async () => {
    const config = {
      adAccountId: AD_ACCOUNT,
      audienceName: 'Window',
      action: 'Create',
      customerFileSource: 'USER_PROVIDED_ONLY',
    };
    const base = {
      exportId: 'exp_window',
      mapping: EMAIL_MAPPING,
      credentials: { accessToken: world.accessToken },
    };
    const rows = (count: number, label: string) =>
      async function* () {
        for (let index = 0; index < count; index++) yield { email: `${label}${index}@example.com` };
      };
    const created = await world.provider.export(
      { ...base, rows: rows(5, 'before'), config },
      recordingReporter(),
    );
    const replace = {
      ...base,
      rows: rows(25, 'after'),
      config: { ...config, action: 'Replace' },
      previousReferences: created.references,
    };
    // The worker dies right after recording batch 1 of the replace.
    const stored: ExportCheckpoint[] = [];
    const crashing = {
      async checkpoint(checkpoint: ExportCheckpoint) {
        stored.push(JSON.parse(JSON.stringify(checkpoint)) as ExportCheckpoint);
        if ((checkpoint.state['sent'] as { chunks: number }).chunks === 1) throw new Error('worker died');
      },
    };
    await expect(world.provider.export(replace, crashing)).rejects.toThrow('worker died');
    const checkpoint = stored.at(-1) as ExportCheckpoint;
    const session = checkpoint.state['session'] as { id: number; startedAt: string };

    // Two hours later (for Meta and for the checkpoint's record of when batch 1 went).
    now += 2 * 60 * 60 * 1000;
    const resumedFrom = {
      ...checkpoint,
      state: {
        ...checkpoint.state,
        session: {
          ...session,
          startedAt: new Date(Date.parse(session.startedAt) - 2 * 60 * 60 * 1000).toISOString(),
        },
      },
    };
    const reporter = recordingReporter();
    const result = await world.provider.export({ ...replace, checkpoint: resumedFrom }, reporter);

    expect(reporter.milestones[0]).toMatchObject({ type: 'RETRYING' });
    expect(reporter.milestones[0].message).toMatch(
      /more than 90 minutes ago.*new replace session from batch 1/s,
    );
    expect(result.counts).toMatchObject({ read: 25, uploaded: 25, files: 3 });
    const held = await world.inspect<InspectedAudience>(`/audiences/${created.references[0].id}`);
    expect(held.identifiers.EMAIL).toEqual([...emailHashes(25, 'after')].sort());
    const replaces = held.sessions.filter((candidate) => candidate.kind === 'replace');
    expect(
      replaces.map((candidate) => [candidate.state, candidate.batches.map((batch) => batch.batch_seq)]),
    ).toEqual([
      ['timed_out', [1]],
      ['finished', [1, 2, 3]],
    ]);
    expect(replaces[1].session_id).not.toBe(String(session.id));
  });
});
