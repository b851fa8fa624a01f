import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderLimitError,
  type ExportCheckpoint,
  type ExportReporter,
  type ExportRequest,
  type KeyMapping,
  type SegmentRow,
} from '@conduit/destinations-core';
import { xorDigest } from '@conduit/tiktok-emulator';
import { TikTokClient, TIKTOK_AUDIENCE_REFERENCE } from '../src';
import {
  ADVERTISER,
  APP,
  emailHashes,
  emailRows,
  recordingReporter,
  sha256,
  startTikTokWorld,
  type TikTokWorld,
} from './tiktok-fixture';

const EMAIL: KeyMapping[] = [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }];

describe('TikTokProvider export (against the emulator)', () => {
  let world: TikTokWorld;

  beforeAll(async () => {
    world = await startTikTokWorld({}, { maxFileBytes: 65 * 10 }); // 10 hashes per file: many files
  });

  afterAll(() => world.close());

  const request = (
    config: Record<string, string | number>,
    rows: () => AsyncIterable<SegmentRow>,
    extra: Partial<ExportRequest> = {},
  ): ExportRequest => ({
    exportId: `exp_${Math.random().toString(36).slice(2)}`,
    rows,
    mapping: EMAIL,
    config: { advertiserId: ADVERTISER, action: 'Create', ...config },
    credentials: { accessToken: world.accessToken },
    ...extra,
  });
  const audiencesNamed = (name: string) =>
    world.running.emulator.inspectAudiences(ADVERTISER).filter((audience) => audience['name'] === name);
  const digestOf = (audience: Record<string, unknown>, type = 'EMAIL_SHA256') =>
    (audience['identifiers'] as Record<string, { count: number; digest: string }>)[type];
  const callsTo = (path: string) =>
    world.running.emulator.requests.filter((entry) => entry.path === path && entry.code === 0).length;

  it('creates an audience with every distinct valid identifier once, counting the rest by reason', async () => {
    const rows = async function* () {
      yield* emailRows(25);
      yield* emailRows(5); // duplicates
      yield { email: 'broken' };
      yield { email: '' };
      yield { email: ' USER0@Example.com ' }; // normalizes to a duplicate
      yield { other: 'no email column' };
    };
    const reporter = recordingReporter();
    const result = await world.provider.export(request({ audienceName: 'Create basics' }, rows), reporter);
    expect(result.counts).toEqual({
      read: 34,
      valid: 31,
      invalid: { MALFORMED: 1, EMPTY: 2 },
      duplicates: 6,
      uploaded: 25,
    });
    const [audience] = audiencesNamed('Create basics');
    expect(result.references).toEqual([
      { kind: TIKTOK_AUDIENCE_REFERENCE, id: audience['audience_id'], name: 'Create basics' },
    ]);
    expect(digestOf(audience)).toEqual({ count: 25, digest: xorDigest(emailHashes(25)) });
    expect(reporter.checkpoints.length).toBeGreaterThanOrEqual(4);
  });

  it('sends more than 49 files as one create plus APPEND batches', async () => {
    // 600 identifiers at 10 per file: 60 files.
    const creates = callsTo('/dmp/custom_audience/create/');
    const updates = callsTo('/dmp/custom_audience/update/');
    const result = await world.provider.export(
      request({ audienceName: 'Many files export' }, () => emailRows(600, 'many')),
      recordingReporter(),
    );
    expect(result.counts.uploaded).toBe(600);
    expect(callsTo('/dmp/custom_audience/create/') - creates).toBe(1);
    expect(callsTo('/dmp/custom_audience/update/') - updates).toBe(1); // 60 files: 49 with the create, 11 appended
    const [audience] = audiencesNamed('Many files export');
    expect(digestOf(audience)).toEqual({ count: 600, digest: xorDigest(emailHashes(600, 'many')) });
  });

  it('appends to the audience the last Create recorded, and replaces its members', async () => {
    const created = await world.provider.export(
      request({ audienceName: 'Append target' }, () => emailRows(20, 'a')),
      recordingReporter(),
    );
    // A newer audience with the same name must not be touched: the recorded reference wins.
    await world.provider.export(
      request({ audienceName: 'Append target' }, () => emailRows(3, 'decoy')),
      recordingReporter(),
    );
    const appended = await world.provider.export(
      request({ audienceName: 'Append target', action: 'Append' }, () => emailRows(10, 'b'), {
        previousReferences: created.references,
      }),
      recordingReporter(),
    );
    expect(appended.references[0].id).toBe(created.references[0].id);
    const target = () =>
      world.running.emulator
        .inspectAudiences(ADVERTISER)
        .find((audience) => audience['audience_id'] === created.references[0].id) as Record<string, unknown>;
    expect(digestOf(target())).toEqual({
      count: 30,
      digest: xorDigest([...emailHashes(20, 'a'), ...emailHashes(10, 'b')]),
    });

    const replaced = await world.provider.export(
      request({ audienceName: 'Append target', action: 'Replace' }, () => emailRows(25, 'c'), {
        previousReferences: created.references,
      }),
      recordingReporter(),
    );
    expect(replaced.references[0].id).toBe(created.references[0].id);
    expect(digestOf(target())).toEqual({ count: 25, digest: xorDigest(emailHashes(25, 'c')) });
  });

  it('without a recorded reference, appends to the most recently created audience with the name', async () => {
    await world.provider.export(
      request({ audienceName: 'Newest by name' }, () => emailRows(5, 'old')),
      recordingReporter(),
    );
    await new Promise((resolve) => setTimeout(resolve, 1100)); // TikTok's create_time has one-second resolution
    const newest = await world.provider.export(
      request({ audienceName: 'Newest by name' }, () => emailRows(5, 'new')),
      recordingReporter(),
    );
    const appended = await world.provider.export(
      request({ audienceName: 'Newest by name', action: 'Append' }, () => emailRows(2, 'more')),
      recordingReporter(),
    );
    expect(appended.references[0].id).toBe(newest.references[0].id);
  });

  it('refuses Append when no audience has the name', async () => {
    const attempt = world.provider.export(
      request({ audienceName: 'Nobody has this', action: 'Append' }, () => emailRows(3)),
      recordingReporter(),
    );
    await expect(attempt).rejects.toBeInstanceOf(PayloadValidationError);
    await expect(attempt).rejects.toThrow(
      /No TikTok audience named "Nobody has this" exists for advertiser .* Run a Create export first/,
    );
  });

  it('exports several key types as MULTIPLE_TYPES files', async () => {
    const mapping: KeyMapping[] = [
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
      { column: 'maid', keyType: 'MAID', encoding: 'SHA256' },
    ];
    const maidHash = sha256('5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25');
    const rows = async function* () {
      yield { email: 'jane@example.com', phone: '+1 415 555 2671', maid: maidHash.toUpperCase() };
      yield { email: 'john@example.com', phone: null, maid: 'not-a-hash' };
    };
    const result = await world.provider.export(
      request({ audienceName: 'Several key types' }, rows, { mapping }),
      recordingReporter(),
    );
    expect(result.counts).toMatchObject({
      read: 2,
      valid: 4,
      uploaded: 4,
      invalid: { EMPTY: 1, NOT_HASHED: 1 },
    });
    const [audience] = audiencesNamed('Several key types');
    expect(audience['calculate_type']).toBe('MULTIPLE_TYPES');
    expect(digestOf(audience, 'EMAIL_SHA256')).toEqual({
      count: 2,
      digest: xorDigest([sha256('jane@example.com'), sha256('john@example.com')]),
    });
    expect(digestOf(audience, 'PHONE_SHA256')).toEqual({
      count: 1,
      digest: xorDigest([sha256('+14155552671')]),
    });
    expect(digestOf(audience, 'MAID_SHA256')).toEqual({ count: 1, digest: xorDigest([maidHash]) });
  });

  it('hashes phones without the + when the destination says so', async () => {
    const mapping: KeyMapping[] = [{ column: 'phone', keyType: 'PHONE', encoding: 'RAW' }];
    await world.provider.export(
      request(
        { audienceName: 'Phones digits only', phoneHashFormat: 'E164_DIGITS_ONLY' },
        async function* () {
          yield { phone: '+44 20 7946 0958' };
        },
        { mapping },
      ),
      recordingReporter(),
    );
    expect(digestOf(audiencesNamed('Phones digits only')[0], 'PHONE_SHA256').digest).toBe(
      xorDigest([sha256('442079460958')]),
    );
  });

  it('fails on a multi-value column, naming it', async () => {
    const attempt = world.provider.export(
      request({ audienceName: 'Multi value column' }, async function* () {
        yield { email: ['a@example.com', 'b@example.com'] };
      }),
      recordingReporter(),
    );
    await expect(attempt).rejects.toThrow(/Column "email" holds several values in one row/);
    await expect(attempt).rejects.toMatchObject({ field: 'mapping.email' });
  });

  it('fails clearly when nothing valid is left to send', async () => {
    const attempt = world.provider.export(
      request({ audienceName: 'Nothing valid here' }, async function* () {
        yield { email: 'nope' };
      }),
      recordingReporter(),
    );
    await expect(attempt).rejects.toThrow(
      'The segment has no valid identifier to send (1 rows read; rejected: 1 MALFORMED)',
    );
  });

  it('rides out TikTok system errors and throttling with retries', async () => {
    world.running.emulator.scheduleFault({
      path: '/dmp/custom_audience/create/',
      outcome: 'systemError',
      times: 2,
    });
    world.running.emulator.scheduleFault({
      path: '/dmp/custom_audience/file/upload/',
      outcome: 'rateLimited',
      times: 1,
    });
    world.running.emulator.scheduleFault({
      path: '/dmp/custom_audience/file/upload/',
      outcome: 'http5xx',
      times: 1,
    });
    const result = await world.provider.export(
      request({ audienceName: 'Despite faults' }, () => emailRows(15, 'faults')),
      recordingReporter(),
    );
    expect(result.counts.uploaded).toBe(15);
    expect(audiencesNamed('Despite faults')).toHaveLength(1);
    expect(digestOf(audiencesNamed('Despite faults')[0]).digest).toBe(xorDigest(emailHashes(15, 'faults')));
  });

  it('does not create a second audience when a run died between create and its checkpoint', async () => {
    const name = 'Crash during create';
    const stored: ExportCheckpoint[] = [];
    const dying: ExportReporter = {
      async checkpoint(checkpoint) {
        // The process "dies" before it can record the new audience id.
        if ((checkpoint.state as { audienceId?: string | null }).audienceId) throw new Error('killed');
        stored.push(JSON.parse(JSON.stringify(checkpoint)) as ExportCheckpoint);
      },
    };
    await expect(
      world.provider.export(
        request({ audienceName: name }, () => emailRows(12, 'crash')),
        dying,
      ),
    ).rejects.toThrow('killed');
    expect(audiencesNamed(name)).toHaveLength(1);
    const uploads = callsTo('/dmp/custom_audience/file/upload/');
    const resumed = await world.provider.export(
      request({ audienceName: name }, () => emailRows(12, 'crash'), {
        checkpoint: stored[stored.length - 1],
      }),
      recordingReporter(),
    );
    expect(callsTo('/dmp/custom_audience/file/upload/')).toBe(uploads);
    expect(audiencesNamed(name)).toHaveLength(1);
    expect(resumed.references[0].id).toBe(audiencesNamed(name)[0]['audience_id']);
    expect(digestOf(audiencesNamed(name)[0])).toEqual({
      count: 12,
      digest: xorDigest(emailHashes(12, 'crash')),
    });
  });

  it('reports a revoked token as InvalidCredentialsError before reading the segment', async () => {
    const other = await startTikTokWorld();
    try {
      other.running.emulator.revokeTokens({ accessToken: other.accessToken });
      let read = 0;
      const attempt = other.provider.export(
        {
          exportId: 'exp_revoked',
          rows: async function* () {
            read++;
            yield { email: 'a@example.com' };
          },
          mapping: EMAIL,
          config: { advertiserId: ADVERTISER, audienceName: 'Revoked token', action: 'Create' },
          credentials: { accessToken: other.accessToken },
        },
        recordingReporter(),
      );
      await expect(attempt).rejects.toBeInstanceOf(InvalidCredentialsError);
      expect(read).toBe(0);
      await expect(
        other.provider.authorization.checkHealth({ accessToken: other.accessToken }),
      ).rejects.toBeInstanceOf(InvalidCredentialsError);
    } finally {
      await other.close();
    }
  });

  it('follows processing until TikTok marks the audience valid', async () => {
    const result = await world.provider.export(
      request({ audienceName: 'Status follow up' }, () => emailRows(40, 'status')),
      recordingReporter(),
    );
    const input = {
      config: { advertiserId: ADVERTISER, audienceName: 'Status follow up', action: 'Create' },
      credentials: { accessToken: world.accessToken },
      references: result.references,
    };
    expect(await world.provider.getStatus(input)).toMatchObject({ state: 'PROCESSING', audienceSize: null });
    world.running.emulator.finishProcessing();
    const expectedMatched = emailHashes(40, 'status').filter(
      (hash) => parseInt(hash.slice(2, 4), 16) < Math.round(0.8 * 256),
    ).length;
    expect(await world.provider.getStatus(input)).toEqual({ state: 'READY', audienceSize: expectedMatched });
  });
});

describe('TikTokProvider limits (against the emulator)', () => {
  it('refuses Create at 400 audiences with a clear ProviderLimitError', async () => {
    const world = await startTikTokWorld();
    try {
      const seed = await world.provider.export(
        {
          exportId: 'exp_seed',
          rows: () => emailRows(2),
          mapping: EMAIL,
          config: { advertiserId: ADVERTISER, audienceName: 'Limit seed audience', action: 'Create' },
          credentials: { accessToken: world.accessToken },
        },
        recordingReporter(),
      );
      expect(seed.counts.uploaded).toBe(2);
      // Fill the advertiser up to TikTok's 400 audiences straight through the API (reusing one file).
      const client = new TikTokClient({ baseUrl: world.running.apiBaseUrl });
      const [fill] = world.running.emulator.requests.filter(
        (entry) => entry.path === '/dmp/custom_audience/file/upload/',
      );
      expect(fill).toBeDefined();
      const filePath = world.running.emulator.inspectAudiences(ADVERTISER)[0]['history'] as {
        filePaths: string[];
      }[];
      for (let index = 0; index < 399; index++) {
        await client.createAudience(world.accessToken, {
          advertiserId: ADVERTISER,
          name: `Filler ${index}`,
          calculateType: 'EMAIL_SHA256',
          filePaths: filePath[0].filePaths,
        });
      }
      const attempt = world.provider.export(
        {
          exportId: 'exp_over',
          rows: () => emailRows(2),
          mapping: EMAIL,
          config: { advertiserId: ADVERTISER, audienceName: 'One too many audiences', action: 'Create' },
          credentials: { accessToken: world.accessToken },
        },
        recordingReporter(),
      );
      await expect(attempt).rejects.toBeInstanceOf(ProviderLimitError);
      await expect(attempt).rejects.toThrow(/already has 400 custom audiences.*Delete unused audiences/);
    } finally {
      await world.close();
    }
  }, 60_000);

  it('explains a Replace TikTok refuses because the audience would fall under 1,000 users', async () => {
    const world = await startTikTokWorld({ minAudienceSizeAfterUpdate: 1000 });
    try {
      const config = { advertiserId: ADVERTISER, audienceName: 'Under a thousand', action: 'Create' };
      const created = await world.provider.export(
        {
          exportId: 'exp_small',
          rows: () => emailRows(1200),
          mapping: EMAIL,
          config,
          credentials: { accessToken: world.accessToken },
        },
        recordingReporter(),
      );
      const attempt = world.provider.export(
        {
          exportId: 'exp_replace_small',
          rows: () => emailRows(10),
          mapping: EMAIL,
          config: { ...config, action: 'Replace' },
          credentials: { accessToken: world.accessToken },
          previousReferences: created.references,
        },
        recordingReporter(),
      );
      await expect(attempt).rejects.toBeInstanceOf(PayloadValidationError);
      await expect(attempt).rejects.toThrow(
        /TikTok refused to REPLACE audience \d+: the audience would hold fewer than 1,000 users/,
      );
    } finally {
      await world.close();
    }
  });
});

describe('TikTokProvider authorization code exchange (against the emulator)', () => {
  let world: TikTokWorld;

  beforeAll(async () => {
    world = await startTikTokWorld();
  });

  afterAll(() => world.close());

  async function freshCode(): Promise<string> {
    const redirectUri = APP.redirectUris[0];
    const callback = await world.running.confirmConsent({ state: 'exchange', redirectUri });
    return callback.searchParams.get('auth_code') as string;
  }

  it('retries a throttled exchange (TikTok refused it before looking at the code)', async () => {
    const code = await freshCode();
    world.running.emulator.scheduleFault({ path: '/oauth2/access_token/', outcome: 'rateLimited', times: 2 });
    const grant = await world.provider.authorization.exchangeCode({ code, redirectUri: APP.redirectUris[0] });
    expect(grant.credentials['accessToken']).toMatch(/^\w+$/);
    expect(grant.accounts.map((account) => account.id)).toContain(ADVERTISER);
  });

  it('does not retry an exchange that failed after TikTok may have spent the code', async () => {
    const code = await freshCode();
    world.running.emulator.scheduleFault({ path: '/oauth2/access_token/', outcome: 'systemError', times: 1 });
    await expect(
      world.provider.authorization.exchangeCode({ code, redirectUri: APP.redirectUris[0] }),
    ).rejects.toMatchObject({ kind: 'RETRYABLE', providerCode: 50000 });
    const exchanges = world.running.emulator.requests.filter(
      (entry) => entry.path === '/oauth2/access_token/' && entry.code === 50000,
    );
    expect(exchanges).toHaveLength(1);
  });

  it('reports a reused code as InvalidCredentialsError (40110)', async () => {
    const code = await freshCode();
    await world.provider.authorization.exchangeCode({ code, redirectUri: APP.redirectUris[0] });
    await expect(
      world.provider.authorization.exchangeCode({ code, redirectUri: APP.redirectUris[0] }),
    ).rejects.toBeInstanceOf(InvalidCredentialsError);
  });
});
