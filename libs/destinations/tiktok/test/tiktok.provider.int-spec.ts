import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderLimitError,
  RetryableError,
  type ExportCheckpoint,
  type ExportCounts,
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
const UPLOAD = '/dmp/custom_audience/file/upload/';
const UPDATE = '/dmp/custom_audience/update/';
const GET = '/dmp/custom_audience/get/';

interface CheckpointedFile {
  filePath: string;
  endRow: number;
  values: number;
}
const filesOf = (checkpoint: ExportCheckpoint | undefined) =>
  (checkpoint?.state['files'] ?? []) as CheckpointedFile[];
const pathsOf = (files: CheckpointedFile[]) => files.map((file) => file.filePath);

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
  const callsTo = (path: string, code = 0) =>
    world.running.emulator.requests.filter((entry) => entry.path === path && entry.code === code).length;
  const historyOf = (audience: Record<string, unknown>) =>
    (audience['history'] as { action: string; filePaths: string[] }[]).map(({ action, filePaths }) => ({
      action,
      filePaths,
    }));

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
    const lists = callsTo('/dmp/custom_audience/list/');
    const result = await world.provider.export(request({ audienceName: 'Create basics' }, rows), reporter);
    // One look at the advertiser's audiences (the 400 limit) and no search for a target: it creates.
    expect(callsTo('/dmp/custom_audience/list/') - lists).toBe(1);
    // 25 hashes at 65 bytes a line, 10 lines a file: 3 files.
    expect(result.counts).toEqual({
      read: 34,
      valid: 31,
      invalid: { MALFORMED: 1, EMPTY: 2 },
      duplicates: 6,
      uploaded: 25,
      files: 3,
      bytes: 25 * 65,
      byKeyType: {
        EMAIL: {
          valid: 31,
          invalid: { MALFORMED: 1, EMPTY: 2 },
          duplicates: 6,
          invalidExamples: { MALFORMED: ['b•••••'] },
        },
      },
    });
    const [audience] = audiencesNamed('Create basics');
    expect(result.references).toEqual([
      { kind: TIKTOK_AUDIENCE_REFERENCE, id: audience['audience_id'], name: 'Create basics' },
    ]);
    expect(digestOf(audience)).toEqual({ count: 25, digest: xorDigest(emailHashes(25)) });
    expect(reporter.checkpoints.length).toBeGreaterThanOrEqual(4);
  });

  it('counts a dry run file by file without a single request to TikTok', async () => {
    const before = world.running.emulator.requests.length;
    const reporter = recordingReporter();
    const result = await world.provider.export(
      request({ audienceName: 'Dry run only' }, () => emailRows(25, 'dry'), { dryRun: true }),
      reporter,
    );
    expect(result).toEqual({
      references: [],
      counts: {
        read: 25,
        valid: 25,
        invalid: {},
        duplicates: 0,
        uploaded: 25,
        files: 3,
        bytes: 25 * 65,
        byKeyType: { EMAIL: { valid: 25, invalid: {}, duplicates: 0 } },
      },
    });
    expect(world.running.emulator.requests.length).toBe(before);
    expect(reporter.checkpoints).toEqual([]);
  });

  it('sends more than 49 files as one create plus APPEND batches, once TikTok has processed the create', async () => {
    // 600 identifiers at 10 per file (65 bytes a line, 650 the limit): exactly 60 full files.
    const creates = callsTo('/dmp/custom_audience/create/');
    const updates = callsTo('/dmp/custom_audience/update/');
    const refused = callsTo('/dmp/custom_audience/update/', 40002);
    const uploads = callsTo(UPLOAD);
    const reporter = world.reporter();
    const result = await world.provider.export(
      request({ audienceName: 'Many files export' }, () => emailRows(600, 'many')),
      reporter,
    );
    expect(result.counts.uploaded).toBe(600);
    expect(callsTo(UPLOAD) - uploads).toBe(60);
    expect(callsTo('/dmp/custom_audience/create/') - creates).toBe(1);
    expect(callsTo('/dmp/custom_audience/update/') - updates).toBe(1);
    // The provider waited for TikTok to process the new audience: it never sent an update too early.
    expect(callsTo('/dmp/custom_audience/update/', 40002)).toBe(refused);
    expect(reporter.milestones.map((milestone) => milestone.type).slice(-3)).toEqual([
      'AUDIENCE_CREATED',
      'WAITING',
      'AUDIENCE_UPDATED',
    ]);
    const files = filesOf(reporter.checkpoints.at(-1));
    expect(files.map((file) => [file.endRow, file.values])).toEqual(
      Array.from({ length: 60 }, (_, index) => [(index + 1) * 10, 10]),
    );
    for (const file of files)
      expect(world.running.emulator.inspectFile(file.filePath)).toMatchObject({
        bytes: 650,
        lines: 10,
        invalid_values: 0,
      });
    const [audience] = audiencesNamed('Many files export');
    expect(historyOf(audience)).toEqual([
      { action: 'CREATE', filePaths: pathsOf(files.slice(0, 49)) },
      { action: 'APPEND', filePaths: pathsOf(files.slice(49)) },
    ]);
    expect(digestOf(audience)).toEqual({ count: 600, digest: xorDigest(emailHashes(600, 'many')) });
  });

  it('reports each accepted file, the audience created, the wait and each update as milestones, in order', async () => {
    // 495 identifiers: 49 full files for the create, then a file of 5 to append.
    const reporter = world.reporter();
    const result = await world.provider.export(
      request({ audienceName: 'Milestones' }, () => emailRows(495, 'steps')),
      reporter,
    );
    const audienceId = result.references[0].id;
    const files = filesOf(reporter.checkpoints.at(-1));
    expect(files.map((file) => file.values)).toEqual([...Array<number>(49).fill(10), 5]);
    expect(reporter.milestones).toEqual([
      ...files.map((file, index) => ({
        type: 'FILE_UPLOADED',
        message: `Uploaded file ${index + 1} (${file.values} identifiers, ${file.values * 65} bytes)`,
        data: { fileIndex: index + 1, filePath: file.filePath, values: file.values, bytes: file.values * 65 },
      })),
      {
        type: 'AUDIENCE_CREATED',
        message: `Created TikTok audience "Milestones" (${audienceId}) with 49 files`,
        data: { audienceId, name: 'Milestones', files: 49 },
      },
      {
        type: 'WAITING',
        message: `TikTok is still processing audience ${audienceId}, which takes it up to 48 h; waiting up to 2 s to send 1 file (APPEND)`,
        data: { audienceId, action: 'APPEND', files: 1, maxWaitMs: 2000 },
      },
      {
        type: 'AUDIENCE_UPDATED',
        message: `Sent 1 file to TikTok audience ${audienceId} (APPEND)`,
        data: { audienceId, action: 'APPEND', files: 1 },
      },
    ]);
  });

  it('creates a MAID-only audience as FIRST_SHA256, the name both the upload and the create accept', async () => {
    const maids = ['5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25', '6F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B26'];
    const result = await world.provider.export(
      request(
        { audienceName: 'Devices only' },
        async function* () {
          for (const maid of maids) yield { maid };
        },
        { mapping: [{ column: 'maid', keyType: 'MAID', encoding: 'RAW' }] },
      ),
      recordingReporter(),
    );
    const [audience] = audiencesNamed('Devices only');
    expect(result.references[0].id).toBe(audience['audience_id']);
    expect(audience['calculate_type']).toBe('FIRST_SHA256');
    expect(digestOf(audience, 'FIRST_SHA256')).toEqual({
      count: 2,
      digest: xorDigest(maids.map((maid) => sha256(maid.toLowerCase()))),
    });
  });

  it('replaces with the first batch only, appending the rest', async () => {
    const created = await world.provider.export(
      request({ audienceName: 'Replace many files' }, () => emailRows(30, 'before')),
      recordingReporter(),
    );
    const reporter = world.reporter();
    await world.provider.export(
      request({ audienceName: 'Replace many files', action: 'Replace' }, () => emailRows(600, 'after'), {
        previousReferences: created.references,
      }),
      reporter,
    );
    const files = filesOf(reporter.checkpoints.at(-1));
    const [audience] = audiencesNamed('Replace many files');
    expect(historyOf(audience).slice(1)).toEqual([
      { action: 'REPLACE', filePaths: pathsOf(files.slice(0, 49)) },
      { action: 'APPEND', filePaths: pathsOf(files.slice(49)) },
    ]);
    // Each update waited for TikTok to process the one before (the create, then the replace).
    const audienceId = created.references[0].id;
    expect(
      reporter.milestones
        .filter((milestone) => milestone.type !== 'FILE_UPLOADED')
        .map(({ type, data }) => ({ type, data })),
    ).toEqual([
      { type: 'WAITING', data: { audienceId, action: 'REPLACE', files: 49, maxWaitMs: 2000 } },
      { type: 'AUDIENCE_UPDATED', data: { audienceId, action: 'REPLACE', files: 49 } },
      { type: 'WAITING', data: { audienceId, action: 'APPEND', files: 11, maxWaitMs: 2000 } },
      { type: 'AUDIENCE_UPDATED', data: { audienceId, action: 'APPEND', files: 11 } },
    ]);
    expect(digestOf(audience)).toEqual({ count: 600, digest: xorDigest(emailHashes(600, 'after')) });
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
      world.reporter(),
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
      world.reporter(),
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
    world.running.emulator.finishProcessing();
    // A reporter that does not listen to milestones is fine.
    const appended = await world.provider.export(
      request({ audienceName: 'Newest by name', action: 'Append' }, () => emailRows(2, 'more')),
      { checkpoint: async () => undefined },
    );
    expect(appended.references[0].id).toBe(newest.references[0].id);
  });

  it('refuses Append when no audience has the name', async () => {
    const attempt = world.provider.export(
      request({ audienceName: 'Nobody has this', action: 'Append' }, () => emailRows(3)),
      recordingReporter(),
    );
    await expect(attempt).rejects.toBeInstanceOf(PayloadValidationError);
    await expect(attempt).rejects.toMatchObject({
      field: 'config.audienceName',
      message: `No TikTok audience named "Nobody has this" exists for advertiser ${ADVERTISER}, so there is nothing to append. Run a Create export first, or check the Audience Name.`,
    });
  });

  it('targets the last TikTok audience recorded (other references ignored), and by name once that one is deleted', async () => {
    const exportTo = (name: string, label: string, extra: Partial<ExportRequest> = {}, action = 'Create') =>
      world.provider.export(
        request({ audienceName: name, action }, () => emailRows(3, label), extra),
        world.reporter(),
      );
    const elsewhere = await exportTo('Recorded elsewhere', 'x');
    const recorded = await exportTo('Recorded target', 'r');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // TikTok's create_time has one-second resolution
    const newest = await exportTo('Recorded target', 'n');
    world.running.emulator.finishProcessing();
    const idOf = (result: { references: { id: string }[] }) => result.references[0].id;
    // Oldest first, as the domain keeps them: an older TikTok audience, the recorded one, another kind.
    const previousReferences = [
      { kind: TIKTOK_AUDIENCE_REFERENCE, id: idOf(elsewhere) },
      { kind: TIKTOK_AUDIENCE_REFERENCE, id: idOf(recorded) },
      { kind: 'META_AUDIENCE', id: idOf(newest) },
    ];
    const appended = await exportTo('Recorded target', 'a', { previousReferences }, 'Append');
    expect(idOf(appended)).toBe(idOf(recorded));
    // Deleted in TikTok since: the newest audience with the name is the target.
    await new TikTokClient({ baseUrl: world.running.apiBaseUrl }).deleteAudiences(world.accessToken, {
      advertiserId: ADVERTISER,
      audienceIds: [idOf(recorded)],
    });
    const byName = await exportTo('Recorded target', 'b', { previousReferences }, 'Append');
    expect(idOf(byName)).toBe(idOf(newest));
  });

  it('looks at a processing audience at most every maxPollIntervalMs while it waits, for a reporter that takes no milestones', async () => {
    const created = await world.provider.export(
      request({ audienceName: 'Polled while processing' }, () => emailRows(3, 'polled')),
      recordingReporter(),
    );
    const patient = world.providerWith({ maxPollIntervalMs: 40, maxProcessingWaitMs: 5_000 });
    const looks = () => world.running.emulator.requests.filter((entry) => entry.path === GET).length;
    const before = looks();
    const finished = setTimeout(() => world.running.emulator.finishProcessing(), 600);
    try {
      await patient.export(
        request({ audienceName: 'Polled while processing', action: 'Append' }, () => emailRows(2, 'later'), {
          previousReferences: created.references,
        }),
        { checkpoint: async () => undefined },
      );
    } finally {
      clearTimeout(finished);
    }
    // 600 ms of processing at one look per 40 ms at the most (pauses double from 5 s, capped at 40 ms).
    expect(looks() - before).toBeGreaterThan(2);
    expect(looks() - before).toBeLessThanOrEqual(25);
  });

  it('exports several key types as MULTIPLE_TYPES files', async () => {
    const mapping: KeyMapping[] = [
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'work_email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
      { column: 'maid', keyType: 'MAID', encoding: 'SHA256' },
    ];
    const maidHash = sha256('5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25');
    const rows = async function* () {
      yield {
        email: 'jane@example.com',
        work_email: 'jane@acme.example',
        phone: '+1 415 555 2671',
        maid: maidHash.toUpperCase(),
      };
      yield { email: 'john@example.com', work_email: null, phone: null, maid: 'not-a-hash' };
    };
    const reporter = recordingReporter();
    const result = await world.provider.export(
      request({ audienceName: 'Several key types' }, rows, { mapping }),
      reporter,
    );
    expect(result.counts).toMatchObject({
      read: 2,
      valid: 5,
      uploaded: 5,
      invalid: { EMPTY: 2, NOT_HASHED: 1 },
    });
    const [audience] = audiencesNamed('Several key types');
    expect(audience['calculate_type']).toBe('MULTIPLE_TYPES');
    // The header, then one line per value of the row's longest list; every value well formed.
    const [file] = filesOf(reporter.checkpoints.at(-1));
    expect(world.running.emulator.inspectFile(file.filePath)).toMatchObject({
      lines: 4,
      invalid_values: 0,
      values: { EMAIL_SHA256: 3, PHONE_SHA256: 1, MAID_SHA256: 1 },
    });
    expect(digestOf(audience, 'EMAIL_SHA256')).toEqual({
      count: 3,
      digest: xorDigest([
        sha256('jane@example.com'),
        sha256('jane@acme.example'),
        sha256('john@example.com'),
      ]),
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
    await expect(attempt).rejects.toMatchObject({
      field: 'mapping.email',
      message:
        'Column "email" holds several values in one row (a multi-value column); flatten it into one value per row before exporting to TikTok Ads.',
    });
  });

  it('fails clearly when nothing valid is left to send', async () => {
    const attempt = world.provider.export(
      request({ audienceName: 'Nothing valid here' }, async function* () {
        yield { email: 'nope' };
        yield { email: '' };
      }),
      recordingReporter(),
    );
    await expect(attempt).rejects.toMatchObject({
      field: 'mapping',
      message:
        'The segment has no valid identifier to send (2 rows read; rejected: 1 MALFORMED, 1 EMPTY); check the column mapping and the data.',
    });
    const empty = world.provider.export(
      request({ audienceName: 'Nothing at all here' }, async function* () {
        yield* [];
      }),
      recordingReporter(),
    );
    await expect(empty).rejects.toThrow(
      'The segment has no valid identifier to send (0 rows read); check the column mapping and the data.',
    );
    expect(audiencesNamed('Nothing valid here')).toEqual([]);
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

  it('adopts the audience a create made when its answer was lost, instead of creating a second', async () => {
    const name = 'Created, answer lost';
    world.running.emulator.scheduleFault({
      path: '/dmp/custom_audience/create/',
      outcome: 'lostAnswer',
      times: 1,
    });
    const creates = callsTo('/dmp/custom_audience/create/');
    const result = await world.provider.export(
      request({ audienceName: name }, () => emailRows(12, 'lost')),
      recordingReporter(),
    );
    // One create reached TikTok; the retry looked the audience up by name and took it.
    expect(callsTo('/dmp/custom_audience/create/')).toBe(creates + 1);
    expect(audiencesNamed(name)).toHaveLength(1);
    expect(result.references[0].id).toBe(audiencesNamed(name)[0]['audience_id']);
    expect(digestOf(audiencesNamed(name)[0])).toEqual({
      count: 12,
      digest: xorDigest(emailHashes(12, 'lost')),
    });
  });

  it('does not create a second audience when a run died between create and its checkpoint', async () => {
    // 60 files: the create took 49, so the resumed run appends the other 11 and nothing twice.
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
        request({ audienceName: name }, () => emailRows(600, 'crash')),
        dying,
      ),
    ).rejects.toThrow('killed');
    expect(audiencesNamed(name)).toHaveLength(1);
    const uploads = callsTo(UPLOAD);
    const reporter = world.reporter();
    const resumed = await world.provider.export(
      request({ audienceName: name }, () => emailRows(600, 'crash'), {
        checkpoint: stored[stored.length - 1],
      }),
      reporter,
    );
    // Nothing uploaded or created again: the resumed run only waits for the adopted audience and appends.
    expect(reporter.milestones.map((milestone) => milestone.type)).toEqual(['WAITING', 'AUDIENCE_UPDATED']);
    expect(resumed.counts).toMatchObject({ read: 600, valid: 600, uploaded: 600 });
    expect(callsTo(UPLOAD)).toBe(uploads);
    expect(audiencesNamed(name)).toHaveLength(1);
    expect(resumed.references[0].id).toBe(audiencesNamed(name)[0]['audience_id']);
    const files = filesOf(stored.at(-1));
    expect(historyOf(audiencesNamed(name)[0])).toEqual([
      { action: 'CREATE', filePaths: pathsOf(files.slice(0, 49)) },
      { action: 'APPEND', filePaths: pathsOf(files.slice(49)) },
    ]);
    expect(digestOf(audiencesNamed(name)[0])).toEqual({
      count: 600,
      digest: xorDigest(emailHashes(600, 'crash')),
    });
  });

  it('waits again when TikTok refuses an update because the audience became busy after the last look (40002)', async () => {
    const created = await world.provider.export(
      request({ audienceName: 'Busy meanwhile' }, () => emailRows(5, 'busy')),
      recordingReporter(),
    );
    // The look before the update finds the audience processed, but it is still processing (as if
    // edited elsewhere in between): TikTok refuses the update with 40002.
    let looks = 0;
    world.running.emulator.alterAnswers((path, data) => {
      if (path !== GET || looks++ > 0) return data;
      const [entry] = data['list'] as Record<string, unknown>[];
      const details = { ...(entry['audience_details'] as object), is_valid: true, msg: '' };
      return { list: [{ ...entry, audience_details: details }] };
    });
    const refused = callsTo(UPDATE, 40002);
    const reporter = world.reporter();
    try {
      await world.provider.export(
        request({ audienceName: 'Busy meanwhile', action: 'Append' }, () => emailRows(3, 'busy-later'), {
          previousReferences: created.references,
        }),
        reporter,
      );
    } finally {
      world.running.emulator.alterAnswers(undefined);
    }
    expect(callsTo(UPDATE, 40002) - refused).toBe(1);
    expect(reporter.milestones.map((milestone) => milestone.type)).toEqual([
      'FILE_UPLOADED',
      'WAITING',
      'AUDIENCE_UPDATED',
    ]);
    expect(digestOf(audiencesNamed('Busy meanwhile')[0])).toEqual({
      count: 8,
      digest: xorDigest([...emailHashes(5, 'busy'), ...emailHashes(3, 'busy-later')]),
    });
  });

  it('gives up as retryable once TikTok processes longer than the wait allows, and resumes without uploading again', async () => {
    const created = await world.provider.export(
      request({ audienceName: 'Slow processing' }, () => emailRows(5, 'slow')),
      recordingReporter(),
    );
    const audienceId = created.references[0].id;
    // Long enough for a few looks even on a loaded machine, short enough for a spec.
    const impatient = world.providerWith({ maxProcessingWaitMs: 200, maxPollIntervalMs: 10 });
    const append = request(
      { audienceName: 'Slow processing', action: 'Append' },
      () => emailRows(3, 'slower'),
      {
        previousReferences: created.references,
      },
    );
    const looks = callsTo(GET);
    const updates = world.running.emulator.requests.filter((entry) => entry.path === UPDATE).length;
    const reporter = recordingReporter();
    const attempt = impatient.export(append, reporter);
    await expect(attempt).rejects.toBeInstanceOf(RetryableError);
    await expect(attempt).rejects.toMatchObject({
      message: `TikTok was still processing audience ${audienceId} after 200 ms, so 1 file (APPEND) could not be sent yet. Retry the export later: it resumes with them, without uploading anything again.`,
      retryAfterMs: 10,
    });
    expect(callsTo(GET) - looks).toBeGreaterThanOrEqual(2);
    expect(world.running.emulator.requests.filter((entry) => entry.path === UPDATE)).toHaveLength(updates);
    expect(reporter.milestones.map((milestone) => milestone.type)).toEqual(['FILE_UPLOADED', 'WAITING']);

    // Later, TikTok is done: the export resumes from its checkpoint and only appends.
    world.running.emulator.finishProcessing();
    const uploads = callsTo(UPLOAD);
    const resumed = await world.provider.export(
      { ...append, checkpoint: reporter.checkpoints.at(-1) },
      recordingReporter(),
    );
    expect(callsTo(UPLOAD)).toBe(uploads);
    expect(resumed.references[0].id).toBe(audienceId);
    expect(digestOf(audiencesNamed('Slow processing')[0])?.count).toBe(8);
  });

  it('stops waiting for TikTok as soon as the export is cancelled', async () => {
    const created = await world.provider.export(
      request({ audienceName: 'Cancelled wait' }, () => emailRows(5, 'cancel-wait')),
      recordingReporter(),
    );
    // Long pauses: only the cancellation can end this wait quickly.
    const patient = world.providerWith({ maxProcessingWaitMs: 600_000, maxPollIntervalMs: 60_000 });
    const controller = new AbortController();
    const updates = world.running.emulator.requests.filter((entry) => entry.path === UPDATE).length;
    const started = Date.now();
    const attempt = patient.export(
      request({ audienceName: 'Cancelled wait', action: 'Append' }, () => emailRows(3, 'never'), {
        previousReferences: created.references,
        signal: controller.signal,
      }),
      recordingReporter((milestone) => {
        if (milestone.type === 'WAITING') controller.abort();
      }),
    );
    await expect(attempt).rejects.toMatchObject({ message: 'The export was cancelled.', retryable: false });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(world.running.emulator.requests.filter((entry) => entry.path === UPDATE)).toHaveLength(updates);
  });

  it('checks health and exports though user/info/ leaves out core_user_id, which nothing uses', async () => {
    world.running.emulator.alterAnswers((path, data) => (path === '/user/info/' ? {} : data));
    try {
      const health = await world.provider.authorization.checkHealth({ accessToken: world.accessToken });
      expect(health.accounts.map((account) => account.id)).toContain(ADVERTISER);
      const result = await world.provider.export(
        request({ audienceName: 'Without user id' }, () => emailRows(3, 'no-user-id')),
        recordingReporter(),
      );
      expect(result.counts.uploaded).toBe(3);
    } finally {
      world.running.emulator.alterAnswers(undefined);
    }
  });

  it('uploads a file again once when TikTok finds its signature wrong, and fails on a second mismatch', async () => {
    world.running.emulator.scheduleFault({ path: UPLOAD, outcome: 'corruptFile', times: 1 });
    const result = await world.provider.export(
      request({ audienceName: 'Corrupted once' }, () => emailRows(5, 'corrupt')),
      recordingReporter(),
    );
    expect(result.counts.uploaded).toBe(5);
    world.running.emulator.scheduleFault({ path: UPLOAD, outcome: 'corruptFile', times: 2 });
    const attempt = world.provider.export(
      request({ audienceName: 'Corrupted twice' }, () => emailRows(5, 'corrupt')),
      recordingReporter(),
    );
    await expect(attempt).rejects.toMatchObject({
      providerCode: 40900,
      message: expect.stringMatching(/^TikTok found that the file signature does not match/),
    });
    expect(audiencesNamed('Corrupted twice')).toEqual([]);
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

describe('TikTokProvider files on disk, cancellation and progress (against the emulator)', () => {
  const config = (audienceName: string) => ({ advertiserId: ADVERTISER, audienceName, action: 'Create' });

  it('cuts files at the size limit, names them after the export, keeps at most uploadConcurrency on disk and none after', async () => {
    const workDirectory = mkdtempSync(join(tmpdir(), 'conduit-work-'));
    const slow = await startTikTokWorld({}, { maxFileBytes: 65 * 10, uploadConcurrency: 3, workDirectory });
    try {
      // Slow uploads, so files wait on disk while the next ones are written.
      slow.running.emulator.configureFaults({ latencyMs: 15 });
      const onDisk = () =>
        readdirSync(workDirectory).flatMap((folder) => readdirSync(join(workDirectory, folder)));
      let most = 0;
      const seen = new Set<string>();
      // Rows are taken in batches, so the files are looked at while the export runs, every millisecond.
      const look = setInterval(() => {
        const files = onDisk();
        most = Math.max(most, files.length);
        for (const name of files) seen.add(name);
      }, 1);
      const reporter = recordingReporter();
      const result = await slow.provider
        .export(
          {
            // Unsafe characters replaced, cut at 60 characters.
            exportId: `exp 7/../x${'y'.repeat(60)}`,
            rows: () => emailRows(95, 'disk'),
            mapping: EMAIL,
            config: config('Files on disk'),
            credentials: { accessToken: slow.accessToken },
          },
          reporter,
        )
        .finally(() => clearInterval(look));
      expect(result.counts.uploaded).toBe(95);
      expect(filesOf(reporter.checkpoints.at(-1)).map((file) => file.values)).toEqual([
        10, 10, 10, 10, 10, 10, 10, 10, 10, 5,
      ]);
      expect(most).toBe(3);
      // Every name seen is one of the ten expected (a file can come and go between two looks on a
      // loaded machine, so not every one need be seen).
      const named = Array.from(
        { length: 10 },
        (_, index) => `exp_7____x${'y'.repeat(50)}-${String(index + 1).padStart(5, '0')}.csv`,
      );
      expect([...seen].filter((name) => !named.includes(name))).toEqual([]);
      expect(seen.size).toBeGreaterThanOrEqual(5);
      expect(readdirSync(workDirectory)).toEqual([]);

      // Cancelled mid-read: nothing created, nothing left on disk, and the error says it will not retry.
      const controller = new AbortController();
      const cancelled = slow.provider.export(
        {
          exportId: 'exp_cancelled',
          rows: async function* () {
            for await (const row of emailRows(60, 'cancel')) {
              if (row['email'] === 'cancel35@example.com') controller.abort();
              yield row;
            }
          },
          signal: controller.signal,
          mapping: EMAIL,
          config: config('Cancelled export'),
          credentials: { accessToken: slow.accessToken },
        },
        recordingReporter(),
      );
      await expect(cancelled).rejects.toMatchObject({
        message: 'The export was cancelled.',
        retryable: false,
      });
      expect(slow.running.emulator.inspectAudiences(ADVERTISER)).toHaveLength(1);
      expect(readdirSync(workDirectory)).toEqual([]);
    } finally {
      await slow.close();
      rmSync(workDirectory, { recursive: true, force: true });
    }
  });

  it('returns from a failed export only once no upload is still running', async () => {
    const slow = await startTikTokWorld({}, { maxFileBytes: 65 * 10, uploadConcurrency: 3 });
    try {
      slow.running.emulator.configureFaults({ latencyMs: 50 });
      const uploads = () =>
        slow.running.emulator.requests.filter((entry) => entry.path === UPLOAD).map((entry) => entry.code);
      const attempt = slow.provider.export(
        {
          exportId: 'exp_failing_checkpoint',
          rows: async function* () {
            for await (const row of emailRows(20, 'in-flight')) {
              // The first file's upload lands, and its checkpoint fails, before the second file starts.
              if (row['email'] === 'in-flight19@example.com')
                await new Promise((resolve) => setTimeout(resolve, 150));
              yield row;
            }
          },
          mapping: EMAIL,
          config: config('Failing checkpoint'),
          credentials: { accessToken: slow.accessToken },
        },
        {
          async checkpoint() {
            throw new Error('the checkpoint store is down');
          },
        },
      );
      await expect(attempt).rejects.toThrow('the checkpoint store is down');
      const atReturn = uploads();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Both uploads were answered before the export returned, and none ran on after it.
      expect(atReturn).toEqual([0, 0]);
      expect(uploads()).toEqual(atReturn);
    } finally {
      await slow.close();
    }
  });

  it('reports progress every 100,000 rows and at the end, to a reporter that listens', async () => {
    const world = await startTikTokWorld();
    try {
      const reports: ExportCounts[] = [];
      const listening = {
        ...recordingReporter(),
        progress: (counts: ExportCounts) => reports.push(structuredClone(counts)),
      };
      await world.provider.export(
        {
          exportId: 'exp_progress',
          rows: () => emailRows(100_001, 'progress'),
          mapping: EMAIL,
          config: config('Progress reports'),
          credentials: { accessToken: world.accessToken },
        },
        listening,
      );
      expect(reports).toEqual([
        {
          read: 100_000,
          valid: 100_000,
          invalid: {},
          duplicates: 0,
          uploaded: 0,
          byKeyType: { EMAIL: { valid: 100_000, invalid: {}, duplicates: 0 } },
        },
        {
          read: 100_001,
          valid: 100_001,
          invalid: {},
          duplicates: 0,
          uploaded: 100_001,
          files: 1,
          bytes: 100_001 * 65,
          byKeyType: { EMAIL: { valid: 100_001, invalid: {}, duplicates: 0 } },
        },
      ]);
      expect(listening.milestones[0]).toMatchObject({
        type: 'FILE_UPLOADED',
        message: 'Uploaded file 1 (100,001 identifiers, 6,500,065 bytes)',
        data: { fileIndex: 1, values: 100_001, bytes: 6_500_065 },
      });
      // A reporter without a progress listener is fine.
      const quiet = await world.provider.export(
        {
          exportId: 'exp_quiet',
          rows: () => emailRows(100_000, 'quiet'),
          mapping: EMAIL,
          config: config('Quiet progress'),
          credentials: { accessToken: world.accessToken },
        },
        recordingReporter(),
      );
      expect(quiet.counts.uploaded).toBe(100_000);
    } finally {
      await world.close();
    }
  }, 30_000);
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
      await expect(attempt).rejects.toMatchObject({ limit: 'audiencesPerAccount' });
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
        world.reporter(),
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

describe('TikTokProvider rows to lines: cancellation while reading, examples, MULTIPLE_TYPES sizes (against the emulator)', () => {
  let world: TikTokWorld;

  beforeAll(async () => {
    world = await startTikTokWorld();
  });

  afterAll(() => world.close());

  const dryRun = (extra: Partial<ExportRequest>): ExportRequest => ({
    exportId: `exp_${Math.random().toString(36).slice(2)}`,
    rows: () => emailRows(0),
    mapping: EMAIL,
    config: { advertiserId: ADVERTISER, audienceName: 'Dry', action: 'Create' },
    credentials: { accessToken: world.accessToken },
    dryRun: true,
    ...extra,
  });
  const batchOf = (index: number) =>
    Array.from({ length: 10 }, (_, row) => ({ email: `batch${index}-${row}@example.com` }));

  it('stops reading the segment at the first batch after a cancellation', async () => {
    const controller = new AbortController();
    let pulled = 0;
    const cancelled = world.provider.export(
      dryRun({
        signal: controller.signal,
        rowBatches: async function* () {
          for (let index = 0; index < 20; index++) {
            if (index === 3) controller.abort();
            pulled++;
            yield batchOf(index);
          }
        },
      }),
      recordingReporter(),
    );
    await expect(cancelled).rejects.toMatchObject({ message: 'The export was cancelled.', retryable: false });
    // Batches 0-2, then the one read after the abort: no other.
    expect(pulled).toBe(4);
  });

  it('leaves no customer file behind when cancelled while writing one', async () => {
    const workDirectory = mkdtempSync(join(tmpdir(), 'conduit-cancel-'));
    const controller = new AbortController();
    try {
      const cancelled = world.providerWith({ workDirectory }).export(
        {
          ...dryRun({ signal: controller.signal }),
          dryRun: false,
          rowBatches: async function* () {
            for (let index = 0; index < 20; index++) {
              // Past the batches hashed ahead (two per thread): a file is being written at the abort.
              if (index === 12) controller.abort();
              yield batchOf(index);
            }
          },
        },
        recordingReporter(),
      );
      await expect(cancelled).rejects.toMatchObject({ message: 'The export was cancelled.' });
      expect(readdirSync(workDirectory)).toEqual([]);
    } finally {
      rmSync(workDirectory, { recursive: true, force: true });
    }
  });

  it('stops before writing a batch hashed ahead when the export is cancelled after the last read', async () => {
    const controller = new AbortController();
    const cancelled = world.provider.export(
      dryRun({
        signal: controller.signal,
        rowBatches: async function* () {
          yield batchOf(0);
          // Read to the end: the batch is still being hashed, not yet written.
          controller.abort();
        },
      }),
      recordingReporter(),
    );
    await expect(cancelled).rejects.toMatchObject({ message: 'The export was cancelled.', retryable: false });
  });

  it('counts every rejected value of the store’s rows, keeping examples of the first few only', async () => {
    const lines = [
      ...Array.from({ length: 10 }, (_, index) => ({ email: `broken ${index}` })),
      ...Array.from({ length: 5 }, (_, index) => ({ email: `fine${index}@example.com` })),
    ].map((row) => `${JSON.stringify(row)}\n`);
    const result = await world.provider.export(
      dryRun({
        rowsNdjson: async function* () {
          yield new TextEncoder().encode(lines.join(''));
        },
      }),
      recordingReporter(),
    );
    expect(result.counts).toMatchObject({ read: 15, valid: 5, invalid: { MALFORMED: 10 }, uploaded: 5 });
    expect(result.counts.byKeyType?.['EMAIL']?.invalid).toEqual({ MALFORMED: 10 });
    expect(result.counts.byKeyType?.['EMAIL']?.invalidExamples?.['MALFORMED']).toHaveLength(3);
  });

  it('measures MULTIPLE_TYPES rows by their lines: a file never passes the size limit', async () => {
    // email + work_email + phone: two lines a row (email,phone then work_email,), 130 + 66 bytes.
    const mapping: KeyMapping[] = [
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'work_email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
    ];
    const header = 'email_sha256,phone_sha256\n'.length;
    const row = 130 + 66;
    // Room for three rows and 195 bytes more: a fourth row, one byte too long, must start the next file.
    const maxFileBytes = header + 3 * row + row - 1;
    const sized = world.providerWith({ maxFileBytes });
    const reporter = world.reporter();
    const result = await sized.export(
      {
        exportId: 'exp_multiple_types_sizes',
        rows: async function* () {
          for (let index = 0; index < 7; index++) {
            yield {
              email: `home${index}@example.com`,
              work_email: `work${index}@example.com`,
              phone: `+1 415 555 ${2671 + index}`,
            };
          }
        },
        mapping,
        config: { advertiserId: ADVERTISER, audienceName: 'Multiple types sizes', action: 'Create' },
        credentials: { accessToken: world.accessToken },
      },
      reporter,
    );
    expect(result.counts).toMatchObject({ read: 7, uploaded: 21, files: 3 });
    const files = filesOf(reporter.checkpoints.at(-1)) as (CheckpointedFile & { bytes: number })[];
    expect(files.map((file) => [file.endRow, file.values, file.bytes])).toEqual([
      [3, 9, header + 3 * row],
      [6, 9, header + 3 * row],
      [7, 3, header + row],
    ]);
    // The header and two lines a row, each value well formed.
    expect(files.map((file) => world.running.emulator.inspectFile(file.filePath))).toMatchObject([
      { lines: 7, invalid_values: 0 },
      { lines: 7, invalid_values: 0 },
      { lines: 3, invalid_values: 0 },
    ]);

    // Room for exactly four rows: a row measured larger than its lines would end each file at three.
    const exact = world.providerWith({ maxFileBytes: header + 4 * row });
    const exactReporter = world.reporter();
    await exact.export(
      {
        exportId: 'exp_multiple_types_exact',
        rows: async function* () {
          for (let index = 0; index < 8; index++) {
            yield {
              email: `home${index}@example.org`,
              work_email: `work${index}@example.org`,
              phone: `+1 415 555 ${2701 + index}`,
            };
          }
        },
        mapping,
        config: { advertiserId: ADVERTISER, audienceName: 'Multiple types exact', action: 'Create' },
        credentials: { accessToken: world.accessToken },
      },
      exactReporter,
    );
    expect(
      (filesOf(exactReporter.checkpoints.at(-1)) as (CheckpointedFile & { bytes: number })[]).map((file) => [
        file.endRow,
        file.bytes,
      ]),
    ).toEqual([
      [4, header + 4 * row],
      [8, header + 4 * row],
    ]);
  });

  it('measures single-type rows by their lines: a limit between two line counts is never passed', async () => {
    // 10 lines of 65 bytes and 30 more: the 11th line must start the next file.
    const sized = world.providerWith({ maxFileBytes: 10 * 65 + 30 });
    const reporter = world.reporter();
    await sized.export(
      {
        exportId: 'exp_single_type_sizes',
        rows: () => emailRows(25, 'sizes'),
        mapping: EMAIL,
        config: { advertiserId: ADVERTISER, audienceName: 'Single type sizes', action: 'Create' },
        credentials: { accessToken: world.accessToken },
      },
      reporter,
    );
    expect(
      (filesOf(reporter.checkpoints.at(-1)) as (CheckpointedFile & { bytes: number })[]).map((file) => [
        file.values,
        file.bytes,
      ]),
    ).toEqual([
      [10, 650],
      [10, 650],
      [5, 325],
    ]);
  });
});
