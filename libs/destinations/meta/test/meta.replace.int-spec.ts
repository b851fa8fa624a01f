import type { ExportCheckpoint } from '@conduit/destinations-core';
import type { InspectedAudience } from '@conduit/meta-emulator';
import type { MetaProvider } from '../src';
import {
  AD_ACCOUNT,
  emailHashes,
  recordingReporter,
  sha256,
  startMetaWorld,
  type MetaWorld,
  type RecordingReporter,
} from './meta-fixture';
import { EMAIL_MAPPING, emailRows, exportsOn } from './meta-segments';

describe('MetaProvider against the Meta emulator: replace sessions', () => {
  let world: MetaWorld;
  let meta: MetaProvider;
  let on: ReturnType<typeof exportsOn>;

  beforeAll(async () => {
    world = await startMetaWorld();
    meta = world.provider;
    on = exportsOn(world);
  }, 60_000);

  afterAll(() => world.close());

  it('waits while another replace holds the audience (2650/1870145), then replaces', async () => {
    const created = await meta.export(
      on.request({ segment: emailRows(5, 'busy'), config: on.config('Busy') }),
      recordingReporter(),
    );
    const audienceId = created.references[0].id;
    // Someone else's replace, started and left open.
    const other = (batchSeq: number, last: boolean) =>
      on.graphPost(`${audienceId}/usersreplace`, {
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
      on.request({
        segment: emailRows(7, 'replacing'),
        config: on.config('Busy', 'Replace'),
        previousReferences: created.references,
      }),
      waited,
    );
    expect(reporter.milestones.map((milestone) => milestone.type)).toContain('WAITING');
    expect((await on.audience(audienceId)).identifiers.EMAIL).toEqual(
      [...emailHashes(7, 'replacing')].sort(),
    );
  });

  it('opens a replace session with batch 1 before sending any other, however many travel at once', async () => {
    const wide = world.providerWith({ batchRows: 5, concurrency: 4 });
    const created = await wide.export(
      on.request({ segment: emailRows(3, 'wide-before'), config: on.config('Wide replace') }),
      recordingReporter(),
    );
    // Half the calls slowed down at random: batches overtake one another.
    world.running.emulator.configureFaults({ latencySpikeRate: 0.5, latencySpikeMs: 40 }, 7);
    try {
      for (let round = 0; round < 8; round++) {
        await wide.export(
          on.request({
            segment: emailRows(60, `wide${round}`),
            config: on.config('Wide replace', 'Replace'),
            previousReferences: created.references,
          }),
          recordingReporter(),
        );
        const held = await on.audience(created.references[0].id);
        expect(held.identifiers.EMAIL).toEqual([...emailHashes(60, `wide${round}`)].sort());
        expect(held.sessions.at(-1)?.batches[0]).toMatchObject({ batch_seq: 1 });
      }
    } finally {
      world.running.emulator.configureFaults({ latencySpikeRate: 0, latencySpikeMs: 0 });
    }
  });
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
