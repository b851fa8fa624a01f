import { createHash } from 'node:crypto';
// The API's own services, reached as its e2e specs reach them: to wait for jobs (JobRunner), and for
// what the scheduler does on its rounds (ExportRunner.maintain, AuthorizationService.checkDue).
import { AuthorizationService, ExportRunner, JobRunner, UnitOfWork } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import {
  DEFAULT_META_EMULATOR_OPTIONS,
  startMetaEmulator,
  type InspectedAudience,
  type RunningMetaEmulator,
} from '@conduit/meta-emulator';
import { actingAs, bootApi, jobsLabel, type ApiHarness } from './api-harness';

// Meta end to end over the HTTP API: the real API (AppModule) pointed at the Meta emulator, driven
// through its HTTP routes as a customer would (the scheduler's rounds called as its jobs call them),
// on SQLite with jobs in process, or with DATABASE_URL (PostgreSQL, a fresh database per suite) and
// REDIS_URL (BullMQ: the harness runs a worker in this process on a queue prefix of its own).

const PUBLIC_URL = 'http://conduit.test';
const CALLBACK = `${PUBLIC_URL}/oauth/callback/meta`;
const APP = { ...DEFAULT_META_EMULATOR_OPTIONS.apps[0], redirectUris: [CALLBACK] };
const [AD_ACCOUNT, AD_ACCOUNT_WITHOUT_TERMS] = DEFAULT_META_EMULATOR_OPTIONS.adAccounts.map(
  (account) => `act_${account.id}`,
);
const USERS_ROUTE = 'POST /{audience_id}/users';
const JOBS = 'bullmq' as const;
const MODE = `${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'}, ${jobsLabel(JOBS)}`;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** Person `i` as a CRM writes them: mixed-case email, a US phone with punctuation, an upper-case IDFA. */
const raw = (i: number) => ({
  email: `Person${i}@Example.COM`,
  phone: `+1 (415) 555-${1000 + i}`,
  maid: `6D92078A-8246-4BA4-AE5B-${i.toString(16).padStart(12, '0').toUpperCase()}`,
});
/** What Meta must hold for person `i`, written out by Meta's rules (not by the product's code). */
const canonical = (i: number) => ({
  // Trimmed, lower-case, SHA-256.
  EMAIL: sha256(`person${i}@example.com`),
  // Digits with the country code, no `+`, SHA-256.
  PHONE: sha256(`1415555${1000 + i}`),
  // Lower-case, hyphens kept, NOT hashed.
  MADID: `6d92078a-8246-4ba4-ae5b-${i.toString(16).padStart(12, '0')}`,
});
const peopleSet = (indexes: number[]) => ({
  EMAIL: sorted(indexes.map((i) => canonical(i).EMAIL)),
  PHONE: sorted(indexes.map((i) => canonical(i).PHONE)),
  MADID: sorted(indexes.map((i) => canonical(i).MADID)),
});

const PERSON_COLUMNS = [
  { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
  { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
  { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
];
const EMAIL_COLUMN = [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }];

const cell = (value: string) => (/[",\s]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const csv = (header: string[], rows: string[][]) =>
  [header, ...rows].map((row) => row.map(cell).join(',')).join('\n');
const personRow = (i: number) => {
  const { email, phone, maid } = raw(i);
  return [email, phone, maid];
};

describe(`Meta over the HTTP API (${MODE})`, () => {
  let meta: RunningMetaEmulator;
  let api: ApiHarness;
  let acme: SeededCompany;
  let authorizationId: string;
  let collaborationId: string;
  let destinationId: string;

  beforeAll(async () => {
    meta = await startMetaEmulator({
      apps: [APP],
      // Every call must be signed: the connector's appsecret_proof is checked on each.
      requireAppSecretProof: true,
    });
    api = await bootApi({
      jobs: JOBS,
      env: {
        PUBLIC_URL,
        META_APP_ID: APP.appId,
        META_APP_SECRET: APP.secret,
        META_GRAPH_BASE_URL: meta.url,
        META_DIALOG_URL: meta.dialogUrl,
        // Meta's pace is the emulator's business here (and the throttling case's faults).
        META_RATE_LIMIT_QPS: '1000',
        META_RATE_LIMIT_QPM: '60000',
        // Backoff in milliseconds, so the throttling case waits for nothing.
        PROVIDER_RETRY_BASE_DELAY_MS: '10',
        PROVIDER_RETRY_MAX_DELAY_MS: '50',
      },
    });
    acme = await api.seedCompany('Acme');
    collaborationId = (await as(acme).post('/collaborations', { name: 'Acme on Meta' }).expect(201)).body.id;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await meta?.close();
  });

  const as = (company: SeededCompany) => actingAs(api, company);
  /** Waits until every job (segment loads, exports) is done, in process or on BullMQ. */
  const settle = () => api.app.get(JobRunner).idle();
  /** The scheduler's round: asks Meta how processing goes. */
  const followProcessing = () => api.app.get(UnitOfWork).run(() => api.app.get(ExportRunner).maintain());
  const segments = () => `/collaborations/${collaborationId}/segments`;
  const inspect = (audienceId: string): InspectedAudience => {
    const audience = meta.emulator.inspectAudience(audienceId);
    if (!audience) throw new Error(`The Meta emulator holds no audience ${audienceId}`);
    return audience;
  };
  const routesSince = (count: number) => meta.emulator.requests.slice(count).map((entry) => entry.route);

  /** Plays the browser: the API's authorize URL, Facebook's dialog, then the API's callback. */
  async function connectMeta(name: string): Promise<string> {
    const created = await as(acme).post('/authorizations', { name, provider: 'meta' }).expect(201);
    expect(created.body).toMatchObject({ provider: 'meta', status: 'PENDING' });
    const authorizeUrl = new URL(created.body.authorizeUrl as string);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(meta.dialogUrl);
    expect(Object.fromEntries(authorizeUrl.searchParams)).toEqual({
      client_id: APP.appId,
      redirect_uri: CALLBACK,
      state: expect.any(String),
      response_type: 'code',
      scope: 'ads_management',
    });
    // The dialog page itself loads, as a browser would see it.
    expect((await fetch(authorizeUrl)).status).toBe(200);
    const callback = await meta.answerDialog({
      state: authorizeUrl.searchParams.get('state') as string,
      redirectUri: CALLBACK,
    });
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    const response = await api.http.get(`${callback.pathname}${callback.search}`).expect(303);
    const outcome = Object.fromEntries(new URL(response.headers['location'] as string).searchParams);
    expect(outcome).toEqual({ authorizationId: created.body.id, status: 'AUTHENTICATED' });
    return created.body.id as string;
  }

  async function createDestination(name: string, config: Record<string, string>): Promise<string> {
    const created = await as(acme)
      .post('/destinations', {
        name,
        provider: 'meta',
        authorizationId,
        config: { customerFileSource: 'USER_PROVIDED_ONLY', ...config },
        editableFields: ['audienceName', 'action'],
      })
      .expect(201);
    return created.body.id as string;
  }

  async function readySegment(
    name: string,
    keyColumns: object[],
    header: string[],
    rows: string[][],
  ): Promise<string> {
    const created = await as(acme)
      .post(segments(), { name, source: { type: 'upload' }, keyColumns })
      .expect(201);
    await as(acme).upload(`${segments()}/${created.body.id}/upload`, csv(header, rows)).expect(202);
    await settle();
    const segment = await as(acme).get(`${segments()}/${created.body.id}`).expect(200);
    expect(segment.body).toMatchObject({ status: 'READY', rowCount: rows.length });
    return created.body.id as string;
  }

  const emailSegment = (name: string, emails: string[]) =>
    readySegment(
      name,
      EMAIL_COLUMN,
      ['email'],
      emails.map((email) => [email]),
    );

  /** POST /…/exports (202, QUEUED), waits for the job, and answers GET /exports/:id. */
  async function exportAndWait(segmentId: string, body: object) {
    const accepted = await as(acme).post(`${segments()}/${segmentId}/exports`, body).expect(202);
    expect(accepted.body).toMatchObject({ status: 'QUEUED', segmentId, collaborationId });
    await settle();
    return (await as(acme).get(`/exports/${accepted.body.id}`).expect(200)).body;
  }

  const eventsOf = async (exportId: string) =>
    (await as(acme).get(`/exports/${exportId}/events?limit=200`).expect(200)).body.data as {
      type: string;
      message: string;
    }[];

  it('connects a Meta account through the API’s OAuth flow and lists its act_ ad accounts', async () => {
    authorizationId = await connectMeta('Acme Meta');
    const authorization = await as(acme).get(`/authorizations/${authorizationId}`).expect(200);
    expect(authorization.body).toMatchObject({
      id: authorizationId,
      provider: 'meta',
      status: 'AUTHENTICATED',
      lastError: null,
      accounts: [
        { id: AD_ACCOUNT, name: 'Emulated Ad Account One' },
        { id: AD_ACCOUNT_WITHOUT_TERMS, name: 'Emulated Ad Account Two (terms not accepted)' },
      ],
    });
    // The API holds Meta's long-lived token (≈ 60 days), not the dialog's short one.
    const tokens = (await (await fetch(`${meta.url}/_emulator/tokens`)).json()) as {
      tokens: { kind: string }[];
    };
    expect(tokens.tokens.map((token) => token.kind)).toContain('long');
    expect(JSON.stringify(authorization.body)).not.toMatch(/access_?token/i);
  });

  it('creates a Meta destination on one of the authorization’s ad accounts, action editable at export', async () => {
    const created = await as(acme)
      .post('/destinations', {
        name: 'Meta buyers',
        provider: 'meta',
        authorizationId,
        config: {
          adAccountId: AD_ACCOUNT,
          audienceName: 'Acme buyers',
          action: 'Create',
          customerFileSource: 'USER_PROVIDED_ONLY',
        },
        editableFields: ['audienceName', 'action'],
      })
      .expect(201);
    destinationId = created.body.id;
    expect(created.body).toMatchObject({
      provider: 'meta',
      authorizationId,
      config: {
        adAccountId: AD_ACCOUNT,
        audienceName: 'Acme buyers',
        action: 'Create',
        customerFileSource: 'USER_PROVIDED_ONLY',
      },
      editableFields: expect.arrayContaining(['audienceName', 'action']),
    });
    // An ad account the authorization does not grant is refused.
    const foreign = await as(acme)
      .post('/destinations', {
        name: 'Meta elsewhere',
        provider: 'meta',
        authorizationId,
        config: { adAccountId: 'act_999', audienceName: 'x', action: 'Create' },
      })
      .expect(400);
    expect(foreign.body.details.map((detail: { field: string }) => detail.field)).toContain(
      'config.adAccountId',
    );
  });

  it('exports Create → Append → Replace: Meta holds exactly each set (phones without +, MADIDs unhashed), counts match', async () => {
    // Create: 10 people, plus what real data holds: invalid values, empty cells, the same person
    // written differently (a duplicate of each key), a known email with a new (French) phone.
    const createRows = [
      ...range(0, 10).map(personRow),
      ['not an email', '12', 'not-a-maid'],
      ['', '', ''],
      ['  PERSON0@example.com ', '001 415 555 1000', raw(0).maid.toLowerCase()],
      [raw(1).email, '+33 6 12 34 56 78', ''],
    ];
    const createSegment = await readySegment(
      'Create',
      PERSON_COLUMNS,
      ['email', 'phone', 'maid'],
      createRows,
    );
    const before = meta.emulator.requests.length;
    const created = await exportAndWait(createSegment, { destinationId });
    expect(created).toMatchObject({
      status: 'PROCESSING',
      provider: 'meta',
      config: { adAccountId: AD_ACCOUNT, audienceName: 'Acme buyers', action: 'Create' },
      references: [{ kind: 'META_AUDIENCE', name: 'Acme buyers', id: expect.any(String) }],
      error: null,
    });
    // 14 rows; 35 valid values (30 of the 10 people, 3 + 2 in the last two rows), of which 4 repeat
    // a value already sent: 31 uploaded. Invalid: 3 malformed, 4 empty.
    expect(created.counts).toMatchObject({
      read: 14,
      valid: 35,
      invalid: { MALFORMED: 3, EMPTY: 4 },
      duplicates: 4,
      uploaded: 31,
    });
    const audienceId = created.references[0].id as string;
    const createdSet = peopleSet(range(0, 10));
    createdSet.PHONE = sorted([...createdSet.PHONE, sha256('33612345678')]);
    let held = inspect(audienceId);
    expect(held).toMatchObject({ audience_id: audienceId, name: 'Acme buyers' });
    expect(held.identifiers).toEqual(createdSet);
    expect(held.sessions).toEqual([expect.objectContaining({ kind: 'add', state: 'finished' })]);
    expect(routesSince(before)).toContain('POST /act_{ad_account_id}/customaudiences');

    // Processing done at Meta: the scheduler's next round completes the export.
    meta.emulator.finishProcessing();
    expect((await followProcessing()).completed).toContain(created.id);
    const completed = (await as(acme).get(`/exports/${created.id}`).expect(200)).body;
    expect(completed).toMatchObject({ status: 'COMPLETED', processing: { state: 'READY' } });

    // Append: people 5..14 (5..9 already there) and one invalid phone.
    const appendSegment = await readySegment(
      'Append',
      PERSON_COLUMNS,
      ['email', 'phone', 'maid'],
      [...range(5, 15).map(personRow), [raw(15).email, '555', '']],
    );
    const appended = await exportAndWait(appendSegment, { destinationId, overrides: { action: 'Append' } });
    expect(appended).toMatchObject({
      status: 'PROCESSING',
      config: { action: 'Append' },
      overrides: { action: 'Append' },
      references: [{ id: audienceId }],
      counts: { read: 11, valid: 31, invalid: { MALFORMED: 1, EMPTY: 1 }, duplicates: 0, uploaded: 31 },
    });
    held = inspect(audienceId);
    const appendedSet = peopleSet([...range(0, 15)]);
    appendedSet.EMAIL = sorted([...appendedSet.EMAIL, sha256('person15@example.com')]);
    appendedSet.PHONE = sorted([...appendedSet.PHONE, sha256('33612345678')]);
    expect(held.identifiers).toEqual(appendedSet);
    expect(held.sessions.map((session) => session.kind)).toEqual(['add', 'add']);
    meta.emulator.finishProcessing();

    // Replace: exactly the new set is left (people 100..104 and a device with only its MADID).
    const replaceSegment = await readySegment(
      'Replace',
      PERSON_COLUMNS,
      ['email', 'phone', 'maid'],
      [...range(100, 105).map(personRow), ['', '', raw(200).maid], personRow(100)],
    );
    const replaced = await exportAndWait(replaceSegment, { destinationId, overrides: { action: 'Replace' } });
    expect(replaced).toMatchObject({
      status: 'PROCESSING',
      config: { action: 'Replace' },
      references: [{ id: audienceId }],
      counts: { read: 7, valid: 19, invalid: { EMPTY: 2 }, duplicates: 3, uploaded: 16 },
    });
    held = inspect(audienceId);
    const replacedSet = peopleSet(range(100, 105));
    replacedSet.MADID = sorted([...replacedSet.MADID, canonical(200).MADID]);
    expect(held.identifiers).toEqual(replacedSet);
    expect(held.sessions.at(-1)).toMatchObject({ kind: 'replace', state: 'finished' });
    // One audience all along.
    const listed = (await (await fetch(`${meta.url}/_emulator/audiences`)).json()) as {
      audiences: { audience_id: string; name: string }[];
    };
    expect(listed.audiences.filter((audience) => audience.name === 'Acme buyers')).toHaveLength(1);
    meta.emulator.finishProcessing();
  });

  it('sends a 25,000-row export as 3 batches of one session, the last one flagged', async () => {
    const emails = range(0, 25_000).map((i) => `bulk${i}@example.com`);
    const segmentId = await emailSegment('Bulk', emails);
    const exported = await exportAndWait(segmentId, {
      destinationId,
      overrides: { audienceName: 'Acme bulk' },
    });
    expect(exported).toMatchObject({
      status: 'PROCESSING',
      references: [{ kind: 'META_AUDIENCE', name: 'Acme bulk' }],
      counts: { read: 25_000, valid: 25_000, invalid: {}, duplicates: 0, uploaded: 25_000, files: 3 },
    });
    const held = inspect(exported.references[0].id);
    expect(held.size).toBe(25_000);
    expect(held.identifiers).toEqual({ EMAIL: sorted(emails.map(sha256)) });
    expect(held.sessions).toHaveLength(1);
    const [session] = held.sessions;
    expect(session).toMatchObject({ kind: 'add', state: 'finished', num_received: 25_000 });
    // Two batches travel at once, so 1 and 2 may arrive in either order; the flagged one comes last.
    expect(session.batches.at(-1)).toMatchObject({ batch_seq: 3, last_batch_flag: true });
    expect(
      session.batches
        .map((batch) => [batch.batch_seq, batch.rows, batch.last_batch_flag])
        .sort(([a], [b]) => Number(a) - Number(b)),
    ).toEqual([
      [1, 10_000, false],
      [2, 10_000, false],
      [3, 5_000, true],
    ]);
    const uploads = (await eventsOf(exported.id)).filter((event) => event.type === 'FILE_UPLOADED');
    expect(uploads).toHaveLength(3);
    meta.emulator.finishProcessing();
  }, 60_000);

  it('refuses a Create on an ad account whose terms are not accepted: a clear 422 before anything is sent or queued', async () => {
    const noTerms = await createDestination('Meta without terms', {
      adAccountId: AD_ACCOUNT_WITHOUT_TERMS,
      audienceName: 'Never created',
      action: 'Create',
    });
    const segmentId = await emailSegment('No terms', ['terms0@example.com', 'terms1@example.com']);
    const path = `${segments()}/${segmentId}/exports`;
    const before = meta.emulator.requests.length;
    const refused = await as(acme).post(path, { destinationId: noTerms }).expect(422);
    expect(refused.body).toMatchObject({
      statusCode: 422,
      code: 'EXPORT_PROVIDER_LIMIT',
      message: expect.stringContaining(
        'https://business.facebook.com/ads/manage/customaudiences/tos/?act=1200000000000002',
      ),
    });
    expect(refused.body.message).toMatch(/Custom Audience Terms .* are not accepted/);
    // Meta was only asked about the terms: no audience made, no /users call.
    expect(routesSince(before)).toEqual(['GET /act_{ad_account_id}']);
    // Nothing queued.
    await settle();
    expect((await as(acme).get(path).expect(200)).body.data).toEqual([]);

    // Once someone accepts the terms, the same request goes through.
    meta.emulator.setTermsAccepted(AD_ACCOUNT_WITHOUT_TERMS, true);
    const accepted = await exportAndWait(segmentId, { destinationId: noTerms });
    expect(accepted).toMatchObject({ status: 'PROCESSING', counts: { uploaded: 2 } });
    expect(inspect(accepted.references[0].id).identifiers).toEqual({
      EMAIL: sorted(['terms0@example.com', 'terms1@example.com'].map(sha256)),
    });
    meta.emulator.finishProcessing();
  });

  it('backs off when Meta throttles (80003), logs RETRYING, and completes with the exact set', async () => {
    const emails = range(0, 20).map((i) => `throttled${i}@example.com`);
    const segmentId = await emailSegment('Throttled', emails);
    meta.emulator.scheduleFault({ route: USERS_ROUTE, outcome: 'throttled', times: 2 });
    const before = meta.emulator.requests.length;
    const exported = await exportAndWait(segmentId, {
      destinationId,
      overrides: { audienceName: 'Acme throttled' },
    });
    expect(exported).toMatchObject({ status: 'PROCESSING', counts: { read: 20, uploaded: 20 } });
    const users = meta.emulator.requests.slice(before).filter((entry) => entry.route === USERS_ROUTE);
    expect(users.map((entry) => entry.code)).toEqual([80003, 80003, null]);
    const retries = (await eventsOf(exported.id)).filter((event) => event.type === 'RETRYING');
    expect(retries).toHaveLength(2);
    for (const retry of retries) expect(retry.message).toMatch(/Meta throttled .*80003/);
    expect(inspect(exported.references[0].id).identifiers).toEqual({ EMAIL: sorted(emails.map(sha256)) });
    meta.emulator.finishProcessing();
    expect((await followProcessing()).completed).toContain(exported.id);
    expect((await as(acme).get(`/exports/${exported.id}`).expect(200)).body).toMatchObject({
      status: 'COMPLETED',
    });
  });

  // Last: it ends every token the emulator issued.
  it('marks an authorization whose token expired REVOKED, saying to reconnect: at export and by the health check', async () => {
    const checkedAuthorization = await connectMeta('Acme Meta (health check)');
    const segmentId = await emailSegment('Expired', ['expired@example.com']);
    const path = `${segments()}/${segmentId}/exports`;
    meta.emulator.expireTokens();

    // At export: Meta answers 190/463 before anything is queued.
    const before = meta.emulator.requests.length;
    const refused = await as(acme)
      .post(path, { destinationId, overrides: { audienceName: 'Never sent' } })
      .expect(409);
    expect(refused.body).toMatchObject({
      code: 'AUTHORIZATION_NOT_AUTHENTICATED',
      message: expect.stringContaining(`POST /authorizations/${authorizationId}/reauthorize`),
    });
    expect(meta.emulator.requests.slice(before)).toEqual([
      expect.objectContaining({ route: 'GET /act_{ad_account_id}', code: 190, subcode: 463 }),
    ]);
    expect((await as(acme).get(path).expect(200)).body.data).toEqual([]);
    const revoked = (await as(acme).get(`/authorizations/${authorizationId}`).expect(200)).body;
    expect(revoked).toMatchObject({
      status: 'REVOKED',
      lastError: {
        code: 'CREDENTIALS_REFUSED',
        message: expect.stringMatching(/expired.*reconnect the Meta Ads authorization/s),
      },
    });

    // The scheduler's health check (authorization-health.job.ts) finds the other one.
    const outcomes = await api.app
      .get(UnitOfWork)
      .run(() => api.app.get(AuthorizationService).checkDue(0, 50));
    expect(outcomes).toEqual([
      expect.objectContaining({ authorizationId: checkedAuthorization, status: 'REVOKED' }),
    ]);
    const checked = (await as(acme).get(`/authorizations/${checkedAuthorization}`).expect(200)).body;
    expect(checked).toMatchObject({
      status: 'REVOKED',
      lastError: {
        code: 'CREDENTIALS_REFUSED',
        message: expect.stringMatching(/expired.*reconnect the Meta Ads authorization/s),
      },
    });
    // Neither message carries a token.
    expect(JSON.stringify([revoked, checked])).not.toMatch(/EAA|access_token=/);
  });
});
