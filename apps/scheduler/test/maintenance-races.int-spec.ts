import {
  DEFAULT_SEGMENT_SETTINGS,
  ExportService,
  ExportStatus,
  JobRunner,
  Segment,
  SegmentService,
  SegmentStatus,
  UnitOfWork,
  type MaintenanceReport,
} from '@conduit/domain';
import { figuresDatabase, recordFigures } from '@conduit/domain/testing';
import { EntityManager } from '@mikro-orm/core';
import {
  HOUR,
  PEOPLE,
  startSchedulerWorld,
  WorldTools,
  YEARLY,
  type Scheduler,
  type SchedulerWorld,
} from './scheduler-world';

// Issue 13, part 4: two schedulers running maintenance at once never double a refresh, an expiry or a
// purge; a clock moved by hours (forwards or back) expires and purges exactly what it should; a job
// delivered twice does its work once. Two scheduler application contexts share the database, the row
// store, the TikTok emulator and a stopped clock only the spec moves; jobs run in each process.

const ROUNDS = 20;
const MINUTE = 60_000;

describe(`scheduler maintenance races (${figuresDatabase()}, in-process jobs)`, () => {
  let world: SchedulerWorld;
  let tools: WorldTools;
  let a: Scheduler;
  let b: Scheduler;
  let windowMs: number;
  let retentionMs: number;
  const started = Date.now();
  const figures = {
    concurrentRounds: 0,
    refreshesDue: 0,
    refreshesRun: 0,
    expiriesDue: 0,
    expiriesDone: 0,
    purgesDue: 0,
    purgesDone: 0,
    deadRunsRetried: 0,
    stuckExportsRecovered: 0,
    duplicateDeliveries: 0,
    clockJumps: 0,
    workDoneTwice: 0,
  };

  beforeAll(async () => {
    world = await startSchedulerWorld();
    ({ a, b } = world);
    tools = new WorldTools(world);
    // The scheduler's defaults (SEGMENT_READY_HOURS 36, SEGMENT_DATA_RETENTION_HOURS 24).
    windowMs = DEFAULT_SEGMENT_SETTINGS.readyWindowMs;
    retentionMs = DEFAULT_SEGMENT_SETTINGS.retentionAfterExpiryMs;
  }, 60_000);

  afterAll(async () => {
    await tools?.idle();
    await world?.close();
    recordFigures('Scheduler races', {
      ...figures,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    });
  });

  /** Both schedulers' segment and export maintenance at once. */
  const round = () =>
    Promise.all([a.maintainSegments(), b.maintainSegments(), a.maintainExports(), b.maintainExports()]);

  /** Forgets what the schedulers did so far (each spec counts its own work). */
  function resetTallies(): void {
    for (const scheduler of [a, b]) {
      scheduler.tally.enqueued.length = 0;
      scheduler.tally.reads.length = 0;
      scheduler.tally.segmentReports.length = 0;
      scheduler.tally.exportReports.length = 0;
    }
  }

  const reads = () => [...a.tally.reads, ...b.tally.reads];
  const enqueued = () => [...a.tally.enqueued, ...b.tally.enqueued];
  const once = (ids: readonly string[]) => Object.fromEntries(ids.map((id) => [id, 1]));
  const ids = (segments: readonly Segment[]) => segments.map((segment) => segment.id);

  it(`two schedulers, ${ROUNDS} concurrent rounds: each due refresh, expiry, purge, retry and stuck export happens once`, async () => {
    world.clock.set(new Date());
    const t0 = world.clock.now().getTime();
    const at = (offset: number) => new Date(t0 + offset);

    // Due for their (yearly) refresh: once refreshed, not due again for months.
    const due = [];
    for (let n = 0; n < 4; n++) due.push(await tools.sqlSegment({ refreshSchedule: YEARLY }));
    // Due for a refresh *and* past their window: expired once, refreshed once, READY at the end.
    const dueExpired = [];
    for (let n = 0; n < 2; n++) dueExpired.push(await tools.sqlSegment({ refreshSchedule: YEARLY }));
    const expiring = [];
    for (let n = 0; n < 4; n++) expiring.push(await tools.sqlSegment());
    const purgeable = [];
    for (let n = 0; n < 3; n++) purgeable.push(await tools.sqlSegment());
    // A refresh whose worker was killed mid-run: RUNNING, silent for ten minutes.
    const dead = [];
    for (let n = 0; n < 2; n++) dead.push(await tools.sqlSegment());
    const exportedSegment = await tools.sqlSegment();

    for (const segment of [...due, ...dueExpired])
      await tools.updateSegment(segment.id, { nextRefreshAt: at(-MINUTE) });
    for (const segment of [...dueExpired, ...expiring])
      await tools.updateSegment(segment.id, { readyAt: at(-windowMs - HOUR), expiresAt: at(-HOUR) });
    for (const segment of purgeable) {
      await tools.updateSegment(segment.id, {
        status: SegmentStatus.EXPIRED,
        readyAt: at(-windowMs - retentionMs - HOUR),
        expiresAt: at(-retentionMs - HOUR),
      });
    }
    for (const segment of dead) {
      await tools.updateSegment(segment.id, {
        status: SegmentStatus.RUNNING,
        generation: segment.generation + 1,
        attempts: 1,
        readyDuringRun: true,
        runRequestedAt: at(-11 * MINUTE),
        runHeartbeatAt: at(-10 * MINUTE),
      });
    }
    // Exports whose job was lost before it ran, or whose worker died while sending.
    const lostJob = await tools.queuedExport(exportedSegment.id, 'Lost job audience');
    await tools.updateExport(lostJob, { updatedAt: at(-10 * MINUTE) });
    const deadWorkers = [];
    for (const name of ['Dead worker one', 'Dead worker two']) {
      const id = await tools.queuedExport(exportedSegment.id, name);
      await tools.updateExport(id, {
        status: ExportStatus.RUNNING,
        attempts: 1,
        startedAt: at(-11 * MINUTE),
        heartbeatAt: at(-10 * MINUTE),
      });
      deadWorkers.push(id);
    }
    const stuck = [lostJob, ...deadWorkers];
    const uploadsBefore = tools.uploads();
    resetTallies();

    for (let n = 0; n < ROUNDS; n++) await round();
    await tools.idle();
    // Sent exports are followed until TikTok says the audience is ready: a few more rounds.
    for (let n = 0; n < 3; n++) await round();
    await tools.idle();
    figures.concurrentRounds += ROUNDS + 3;

    const refreshed = [...due, ...dueExpired];
    expect(tools.occurrences('refreshed', ids(refreshed))).toEqual(once(ids(refreshed)));
    expect(tools.occurrences('expired', ids([...dueExpired, ...expiring]))).toEqual(
      once(ids([...dueExpired, ...expiring])),
    );
    expect(tools.occurrences('dataDeleted', ids(purgeable))).toEqual(once(ids(purgeable)));
    expect(tools.occurrences('retried', ids(dead))).toEqual(once(ids(dead)));
    // Work, not reports: each source ran once (one materialization), each job was asked for once.
    const materialized = [...refreshed, ...dead];
    const queries = materialized.map((segment) => segment.query as string);
    expect(reads().sort()).toEqual([...queries].sort());
    expect(
      WorldTools.duplicates(enqueued().filter((entry) => entry.startsWith('segment.materialize'))),
    ).toEqual({});

    for (const segment of refreshed) {
      const now = await tools.segment(segment.id);
      expect({ status: now.status, generation: now.generation, attempts: now.attempts }).toEqual({
        status: SegmentStatus.READY,
        generation: segment.generation + 1,
        attempts: 1,
      });
      // A fresh window from the refresh: a late expiry from the other scheduler never overwrote it.
      expect(now.expiresAt).toEqual(at(windowMs));
      expect(now.nextRefreshAt?.getTime()).toBeGreaterThan(t0 + 30 * 24 * HOUR);
      expect(tools.hasRows(now.datasetId as string)).toBe(true);
      expect(tools.hasRows(segment.datasetId as string)).toBe(false);
    }
    for (const segment of expiring) {
      const now = await tools.segment(segment.id);
      expect({ status: now.status, datasetId: now.datasetId }).toEqual({
        status: SegmentStatus.EXPIRED,
        datasetId: segment.datasetId,
      });
    }
    for (const segment of purgeable) {
      const now = await tools.segment(segment.id);
      expect({ status: now.status, datasetId: now.datasetId, dataDeletedAt: now.dataDeletedAt }).toEqual({
        status: SegmentStatus.EXPIRED,
        datasetId: null,
        dataDeletedAt: at(0),
      });
      expect(tools.hasRows(segment.datasetId as string)).toBe(false);
    }
    for (const segment of dead) {
      const now = await tools.segment(segment.id);
      expect({ status: now.status, generation: now.generation, datasetId: now.datasetId }).toEqual({
        status: SegmentStatus.READY,
        generation: segment.generation + 1,
        // Its second attempt's own rows (the first attempt, had it been alive, publishes nothing).
        datasetId: `${segment.id}-g${segment.generation + 1}-a2`,
      });
    }

    // Each stuck export resumed once: one start, one send, one completion, its identifiers sent once.
    for (const [id, name] of [
      [lostJob, 'Lost job audience'],
      [deadWorkers[0], 'Dead worker one'],
      [deadWorkers[1], 'Dead worker two'],
    ] as const) {
      expect((await tools.exported(id)).status).toBe(ExportStatus.COMPLETED);
      const events = await tools.eventCounts(id);
      expect({
        runs: (events['STARTED'] ?? 0) + (events['RESUMED'] ?? 0),
        sent: events['SENT'],
        completed: events['COMPLETED'],
        failed: events['FAILED'] ?? 0,
      }).toEqual({ runs: 1, sent: 1, completed: 1, failed: 0 });
      expect(tools.audience(name)).toEqual({ size: PEOPLE, identifiers: PEOPLE, changes: 1 });
    }
    expect(tools.uploads() - uploadsBefore).toBe(stuck.length);

    const exportJobs = enqueued().filter((entry) => entry.startsWith('export.run'));
    figures.refreshesDue += refreshed.length;
    figures.refreshesRun += reads().filter((query) => refreshed.some((s) => s.query === query)).length;
    figures.expiriesDue += dueExpired.length + expiring.length;
    figures.expiriesDone += [...a.tally.segmentReports, ...b.tally.segmentReports].flatMap(
      (report) => report.expired,
    ).length;
    figures.purgesDue += purgeable.length;
    figures.purgesDone += [...a.tally.segmentReports, ...b.tally.segmentReports].flatMap(
      (report) => report.dataDeleted,
    ).length;
    figures.deadRunsRetried += dead.length;
    figures.stuckExportsRecovered += stuck.length;
    // The same export asked for again while its first job had not claimed it yet: delivered twice.
    figures.duplicateDeliveries += exportJobs.length - stuck.length;
    figures.workDoneTwice += reads().length - queries.length;
  }, 60_000);

  it('a refresh that falls due while both schedulers tick is claimed by one, occurrence after occurrence', async () => {
    world.clock.set(new Date());
    const segments = [];
    for (let n = 0; n < 4; n++) segments.push(await tools.sqlSegment({ refreshSchedule: YEARLY }));
    resetTallies();
    const occurrences = 8;
    for (let n = 0; n < occurrences; n++) {
      world.clock.move(MINUTE);
      for (const segment of segments)
        await tools.updateSegment(segment.id, { nextRefreshAt: world.clock.now() });
      await Promise.all([a.maintainSegments(), b.maintainSegments()]);
      await tools.idle();
    }
    figures.concurrentRounds += occurrences;
    const expected = Object.fromEntries(segments.map((segment) => [segment.id, occurrences]));
    expect(tools.occurrences('refreshed', ids(segments))).toEqual(expected);
    expect(Object.fromEntries(segments.map((s) => [s.id, tools.readsOf(s.query as string)]))).toEqual(
      expected,
    );
    for (const segment of segments) {
      const now = await tools.segment(segment.id);
      expect({ status: now.status, generation: now.generation }).toEqual({
        status: SegmentStatus.READY,
        generation: segment.generation + occurrences,
      });
    }
    figures.refreshesDue += segments.length * occurrences;
    figures.refreshesRun += reads().length;
    figures.workDoneTwice += reads().length - segments.length * occurrences;
  }, 60_000);

  it('a clock moved by hours expires and purges exactly what it should; moved back, it undoes and doubles nothing', async () => {
    world.clock.set(new Date());
    const t1 = world.clock.now().getTime();
    const at = (offset: number) => new Date(t1 + offset);
    // Each materialized at t1 (a window ending at t1 + 36 h), then moved a millisecond either side.
    const before = await tools.sqlSegment();
    const exactly = await tools.sqlSegment();
    const after = await tools.sqlSegment();
    await tools.updateSegment(before.id, { readyAt: at(1), expiresAt: at(windowMs + 1) });
    await tools.updateSegment(after.id, { readyAt: at(-1), expiresAt: at(windowMs - 1) });
    // READY with an export still sending its rows: it expires on time, its rows stay until the export ends.
    const read = await tools.sqlSegment();
    const reader = await tools.queuedExport(read.id, 'Still sending rows');
    await tools.updateExport(reader, { status: ExportStatus.RUNNING, heartbeatAt: at(30 * 24 * HOUR) });
    // Refreshed every six hours: a jump of a day and a half refreshes it once, never once per missed slot.
    const scheduled = await tools.sqlSegment({ refreshSchedule: '0 */6 * * *' });
    world.clock.set(at(2 * HOUR));
    const later = await tools.sqlSegment();
    expect(later.expiresAt).toEqual(at(2 * HOUR + windowMs));
    const mine = new Set(ids([before, exactly, after, read, scheduled, later]));
    resetTallies();

    /**
     * Moves the clock, runs both schedulers at once (twice: the second round must find nothing left),
     * and checks every segment of the database against what its state before the jump says is due.
     */
    async function jumpTo(
      offset: number,
    ): Promise<{ expired: string[]; dataDeleted: string[]; refreshed: string[] }> {
      const now = at(offset);
      world.clock.set(now);
      figures.clockJumps += 1;
      const snapshot = await tools.segments();
      const expiresBy = (segment: Segment, time: number) =>
        segment.expiresAt !== null && segment.expiresAt.getTime() <= time;
      const expected = {
        expired: snapshot.filter((s) => s.status === SegmentStatus.READY && expiresBy(s, now.getTime())),
        dataDeleted: snapshot.filter(
          (s) =>
            s.datasetId !== null &&
            (s.status === SegmentStatus.EXPIRED ||
              s.status === SegmentStatus.FAILED ||
              s.status === SegmentStatus.READY) &&
            expiresBy(s, now.getTime() - retentionMs),
        ),
        refreshed: snapshot.filter((s) => s.nextRefreshAt !== null && s.nextRefreshAt <= now),
      };
      const readsBefore = reads().length;
      const reports = [a, b].map((scheduler) => scheduler.tally.segmentReports.length);
      await Promise.all([a.maintainSegments(), b.maintainSegments()]);
      await tools.idle();
      const second = await Promise.all([a.maintainSegments(), b.maintainSegments()]);
      await tools.idle();
      figures.concurrentRounds += 2;
      for (const report of second) {
        expect({ ...report, leftoversRemoved: [] }).toEqual({
          expired: [],
          dataDeleted: [],
          refreshed: [],
          retried: [],
          failed: [],
          leftoversRemoved: [],
        });
      }
      const done = [a, b].flatMap((scheduler, index) => scheduler.tally.segmentReports.slice(reports[index]));
      const outcome = {
        expired: done.flatMap((report) => report.expired).sort(),
        dataDeleted: done.flatMap((report) => report.dataDeleted).sort(),
        refreshed: done.flatMap((report) => report.refreshed).sort(),
      };
      expect(outcome).toEqual({
        expired: ids(expected.expired).sort(),
        dataDeleted: ids(expected.dataDeleted).sort(),
        refreshed: ids(expected.refreshed).sort(),
      });
      // One source run per refresh, no more.
      expect(reads().length - readsBefore).toBe(expected.refreshed.length);
      figures.expiriesDue += expected.expired.length;
      figures.expiriesDone += outcome.expired.length;
      figures.purgesDue += expected.dataDeleted.length;
      figures.purgesDone += outcome.dataDeleted.length;
      figures.refreshesDue += expected.refreshed.length;
      figures.refreshesRun += reads().length - readsBefore;
      figures.workDoneTwice += reads().length - readsBefore - expected.refreshed.length;
      return { ...outcome, refreshed: outcome.refreshed.filter((id) => mine.has(id)) };
    }
    const mineOf = (list: string[]) => list.filter((id) => mine.has(id)).sort();

    // To the millisecond of the 36 h limit: the one at it and the one past it expire, not the one before
    // (the scheduled one, made at t1 too, expires and is refreshed in the same round).
    const limit = await jumpTo(windowMs);
    expect(mineOf(limit.expired)).toEqual([exactly.id, after.id, read.id, scheduled.id].sort());
    expect(limit.refreshed).toEqual([scheduled.id]);
    expect((await tools.segment(before.id)).status).toBe(SegmentStatus.READY);
    expect((await tools.segment(later.id)).status).toBe(SegmentStatus.READY);

    // +37 h: the one a millisecond short goes too; the segment made two hours later still has an hour.
    const plus37 = await jumpTo(37 * HOUR);
    expect(mineOf(plus37.expired)).toEqual([before.id]);
    expect((await tools.segment(later.id)).status).toBe(SegmentStatus.READY);

    // Retention over for the ones that expired at the limit: their rows go, but for those an export reads.
    const purge = await jumpTo(windowMs + retentionMs);
    expect(mineOf(purge.dataDeleted)).toEqual([exactly.id, after.id, read.id].sort());
    expect(mineOf(purge.expired)).toEqual([later.id]);
    for (const segment of [exactly, after]) expect(tools.hasRows(segment.datasetId as string)).toBe(false);
    expect(tools.hasRows(before.datasetId as string)).toBe(true);
    const purgedRead = await tools.segment(read.id);
    expect({ datasetId: purgedRead.datasetId, dataDeletedAt: purgedRead.dataDeletedAt }).toEqual({
      datasetId: null,
      dataDeletedAt: at(windowMs + retentionMs),
    });
    expect(tools.hasRows(read.datasetId as string)).toBe(true);

    // Three days on: everything else past its retention goes.
    const days = await jumpTo(37 * HOUR + 3 * 24 * HOUR);
    expect(mineOf(days.dataDeleted)).toEqual([before.id, later.id].sort());

    // And back to the start: nothing expires again, nothing comes back, nothing refreshes or is purged twice.
    const settled = await tools.segments();
    const back = await jumpTo(0);
    expect(back).toEqual({ expired: [], dataDeleted: [], refreshed: [] });
    const project = (segments: Segment[]) =>
      segments.map((s) => ({
        id: s.id,
        status: s.status,
        datasetId: s.datasetId,
        dataDeletedAt: s.dataDeletedAt,
        expiresAt: s.expiresAt,
        generation: s.generation,
        nextRefreshAt: s.nextRefreshAt,
      }));
    expect(project(await tools.segments())).toEqual(project(settled));
    await tools.updateExport(reader, { status: ExportStatus.CANCELLED, heartbeatAt: null });
  }, 60_000);

  it('a clock jump while an export is sending: the run that is taken over stops, its identifiers go once', async () => {
    world.clock.set(new Date());
    const segment = await tools.sqlSegment();
    const uploadsBefore = tools.uploads();
    const exportId = await tools.queuedExport(segment.id, 'Clock jumped mid-send');
    // TikTok slow enough that the run is still sending when the clock jumps.
    world.tiktok.emulator.configureFaults({ latencyMs: 1500 });
    let first: Promise<void> | undefined;
    try {
      first = a.deliver('export.run', exportId);
      // The run's own progress, not time: it has claimed the export and recorded its attempt.
      while ((await tools.exported(exportId)).attempts !== 1)
        await new Promise((resolve) => setImmediate(resolve));
      // Minutes pass on the clock with no heartbeat written: the run looks dead, and is taken over.
      world.clock.move(10 * MINUTE);
      await Promise.all([a.maintainExports(), b.maintainExports()]);
    } finally {
      world.tiktok.emulator.configureFaults({ latencyMs: 0 });
    }
    await first;
    await tools.idle();
    await Promise.all([a.maintainExports(), b.maintainExports()]);
    // The file the first run had in flight is uploaded again by the second; the first one learns at
    // its next checkpoint that it was taken over, and stops before applying anything: one audience.
    const events = await tools.eventCounts(exportId);
    expect({
      started: events['STARTED'],
      resumed: events['RESUMED'],
      sent: events['SENT'],
      completed: events['COMPLETED'],
      uploads: tools.uploads() - uploadsBefore,
      audiences: world.tiktok.emulator
        .inspectAudiences()
        .filter((audience) => audience['name'] === 'Clock jumped mid-send').length,
    }).toEqual({ started: 1, resumed: 1, sent: 1, completed: 1, uploads: 2, audiences: 1 });
    expect(tools.audience('Clock jumped mid-send')).toEqual({
      size: PEOPLE,
      identifiers: PEOPLE,
      changes: 1,
    });
    figures.clockJumps += 1;
  }, 60_000);

  it('a clock jump while a refresh runs: the run taken over publishes nothing, the segment once', async () => {
    world.clock.set(new Date());
    const segment = await tools.sqlSegment({ refreshSchedule: YEARLY });
    const published = [a, b].map((scheduler) =>
      jest.spyOn(scheduler.app.get(ExportService), 'repeatAfterRefresh'),
    );
    const until = async (what: (now: Segment) => boolean) => {
      // The runs' own progress, not time.
      while (!what(await tools.segment(segment.id))) await new Promise((resolve) => setImmediate(resolve));
    };
    const release = world.holdSources();
    try {
      await tools.updateSegment(segment.id, { nextRefreshAt: world.clock.now() });
      await Promise.all([a.maintainSegments(), b.maintainSegments()]);
      await until((now) => now.status === SegmentStatus.RUNNING && now.attempts === 1);
      // Minutes pass on the clock with no heartbeat written: the live run looks dead and is retried.
      world.clock.move(10 * MINUTE);
      await Promise.all([a.maintainSegments(), b.maintainSegments()]);
      await until((now) => now.status === SegmentStatus.RUNNING && now.attempts === 2);
    } finally {
      release();
    }
    await tools.idle();
    figures.clockJumps += 1;
    // Published once: one READY, one pass over its repeating exports.
    expect(published.reduce((calls, spy) => calls + spy.mock.calls.length, 0)).toBe(1);
    const generation = segment.generation + 1;
    const now = await tools.segment(segment.id);
    expect({ status: now.status, generation: now.generation, datasetId: now.datasetId }).toEqual({
      status: SegmentStatus.READY,
      generation,
      datasetId: `${segment.id}-g${generation}-a2`,
    });
    // The first run's rows went, its own only.
    expect(tools.hasRows(`${segment.id}-g${generation}`)).toBe(false);
    expect(tools.hasRows(now.datasetId as string)).toBe(true);
    published.forEach((spy) => spy.mockRestore());
  }, 60_000);

  it('a job delivered twice (or three times, on both schedulers) does its work once', async () => {
    world.clock.set(new Date());
    resetTallies();

    // A materialization whose job both schedulers received, then received again after it was done.
    const pending = await tools.sqlSegment({ hold: true });
    expect(pending.status).toBe(SegmentStatus.PENDING);
    await Promise.all([
      a.deliver('segment.materialize', pending.id),
      b.deliver('segment.materialize', pending.id),
      a.deliver('segment.materialize', pending.id),
    ]);
    await b.deliver('segment.materialize', pending.id);
    await a.app.get(JobRunner).enqueue('segment.materialize', pending.id, world.principal.companyId);
    await b.app.get(JobRunner).enqueue('segment.materialize', pending.id, world.principal.companyId);
    await tools.idle();
    const materialized = await tools.segment(pending.id);
    expect({
      status: materialized.status,
      generation: materialized.generation,
      attempts: materialized.attempts,
    }).toEqual({ status: SegmentStatus.READY, generation: 0, attempts: 1 });
    expect(tools.readsOf(pending.query as string)).toBe(1);

    // An export run delivered to both schedulers at once, then once more after it was sent.
    const uploadsBefore = tools.uploads();
    const exportId = await tools.queuedExport(pending.id, 'Delivered twice');
    await Promise.all([a.deliver('export.run', exportId), b.deliver('export.run', exportId)]);
    await a.deliver('export.run', exportId);
    await Promise.all([a.maintainExports(), b.maintainExports()]);
    await Promise.all([a.maintainExports(), b.maintainExports()]);
    expect((await tools.exported(exportId)).status).toBe(ExportStatus.COMPLETED);
    const events = await tools.eventCounts(exportId);
    expect({
      started: events['STARTED'],
      resumed: events['RESUMED'] ?? 0,
      sent: events['SENT'],
      completed: events['COMPLETED'],
    }).toEqual({ started: 1, resumed: 0, sent: 1, completed: 1 });
    expect(tools.uploads() - uploadsBefore).toBe(1);
    expect(tools.audience('Delivered twice')).toEqual({ size: PEOPLE, identifiers: PEOPLE, changes: 1 });

    // An expiry both schedulers find in the same instant, twice over: one transition.
    const expiring = await tools.sqlSegment();
    await tools.updateSegment(expiring.id, { expiresAt: new Date(world.clock.now().getTime() - 1) });
    await Promise.all([a.maintainSegments(), b.maintainSegments(), a.maintainSegments()]);
    await Promise.all([a.maintainSegments(), b.maintainSegments()]);
    expect(tools.occurrences('expired', [expiring.id])).toEqual({ [expiring.id]: 1 });
    expect((await tools.segment(expiring.id)).status).toBe(SegmentStatus.EXPIRED);

    figures.duplicateDeliveries += 3 + 2 + 2 + 2;
    figures.workDoneTwice +=
      tools.readsOf(pending.query as string) - 1 + (tools.uploads() - uploadsBefore - 1);
  }, 60_000);

  // Each claim of a tick is an update conditional on what the tick read; its guard matters only when
  // another process changes the row between that read and the claim. Concurrent ticks hit that window
  // by chance; these specs put the other process's change inside it.
  describe('a row changed between the tick’s read and its claim', () => {
    /**
     * Runs one tick of `scheduler` and, once, just before (or just after) it claims `segmentId`, lets
     * `change` commit what another process would: the tick's own queries reach the database as they
     * are, only paused while `change` runs in its own units of work.
     */
    async function tickRacing(
      scheduler: Scheduler,
      segmentId: string,
      moment: 'before the claim' | 'after the claim',
      change: () => Promise<unknown>,
    ): Promise<MaintenanceReport> {
      const em = scheduler.app.get(EntityManager);
      const update = em.nativeUpdate.bind(em);
      let raced = false;
      // On SQLite both schedulers share one EntityManager: the other process's own updates pass too.
      const claims = jest
        .spyOn(em, 'nativeUpdate')
        .mockImplementation(async (entity, where, data, options) => {
          const claim = !raced && entity === Segment && (where as { id?: unknown }).id === segmentId;
          if (!claim) return update(entity, where, data, options);
          raced = true;
          if (moment === 'before the claim') await change();
          const claimed = await update(entity, where, data, options);
          if (moment === 'after the claim') await change();
          return claimed;
        });
      try {
        const report = await scheduler.maintainSegments();
        // A tick that never claimed the segment proves nothing about the guard.
        expect(raced).toBe(true);
        return report;
      } finally {
        claims.mockRestore();
      }
    }

    const inUnitOf = <T>(scheduler: Scheduler, work: () => Promise<T>) =>
      scheduler.app.get(UnitOfWork).run(work);
    const refreshOn = (scheduler: Scheduler, segmentId: string) =>
      inUnitOf(scheduler, () =>
        scheduler.app.get(SegmentService).refresh(world.principal, world.collaborationId, segmentId),
      );

    it('an expiry the tick read, refreshed by the other scheduler before the claim: not expired', async () => {
      world.clock.set(new Date());
      const now = world.clock.now().getTime();
      const segment = await tools.sqlSegment();
      await tools.updateSegment(segment.id, {
        readyAt: new Date(now - windowMs - HOUR),
        expiresAt: new Date(now - HOUR),
      });

      const report = await tickRacing(a, segment.id, 'before the claim', async () => {
        await refreshOn(b, segment.id);
        await tools.idle();
      });

      expect(report.expired).not.toContain(segment.id);
      const refreshed = await tools.segment(segment.id);
      expect({
        status: refreshed.status,
        generation: refreshed.generation,
        expiresAt: refreshed.expiresAt,
      }).toEqual({
        status: SegmentStatus.READY,
        generation: segment.generation + 1,
        expiresAt: new Date(now + windowMs),
      });
    }, 60_000);

    it('a purge the tick read, whose segment the other scheduler starts refreshing before the claim: its reference stays', async () => {
      world.clock.set(new Date());
      const now = world.clock.now().getTime();
      const segment = await tools.sqlSegment();
      await tools.updateSegment(segment.id, {
        status: SegmentStatus.EXPIRED,
        readyAt: new Date(now - windowMs - retentionMs - HOUR),
        expiresAt: new Date(now - retentionMs - HOUR),
      });

      const release = world.holdSources();
      let report: MaintenanceReport;
      let during: Segment;
      try {
        report = await tickRacing(a, segment.id, 'before the claim', async () => {
          await refreshOn(b, segment.id);
          // Its run under way (its source held): RUNNING on the rows it read, none published yet.
          while ((await tools.segment(segment.id)).status !== SegmentStatus.RUNNING)
            await new Promise((resolve) => setImmediate(resolve));
        });
        during = await tools.segment(segment.id);
      } finally {
        release();
      }
      await tools.idle();

      expect(report.dataDeleted).not.toContain(segment.id);
      expect({
        status: during.status,
        datasetId: during.datasetId,
        dataDeletedAt: during.dataDeletedAt,
      }).toEqual({
        status: SegmentStatus.RUNNING,
        datasetId: segment.datasetId,
        dataDeletedAt: null,
      });
      // The refresh publishes its own rows; the old ones went with the tick's removal.
      const refreshed = await tools.segment(segment.id);
      expect({ status: refreshed.status, datasetId: refreshed.datasetId }).toEqual({
        status: SegmentStatus.READY,
        datasetId: `${segment.id}-g${segment.generation + 1}`,
      });
      expect(tools.hasRows(segment.datasetId as string)).toBe(false);
    }, 60_000);

    it('a due refresh claimed by the tick, its segment deleted right after the claim: skipped, the tick goes on', async () => {
      world.clock.set(new Date());
      const segment = await tools.sqlSegment({ refreshSchedule: YEARLY });
      await tools.updateSegment(segment.id, {
        nextRefreshAt: new Date(world.clock.now().getTime() - MINUTE),
      });
      resetTallies();

      const report = await tickRacing(a, segment.id, 'after the claim', () =>
        inUnitOf(b, () =>
          b.app.get(SegmentService).remove(world.principal.companyId, world.collaborationId, segment.id),
        ),
      );

      expect(report.refreshed).not.toContain(segment.id);
      expect(enqueued()).not.toContain(`segment.materialize:${segment.id}`);
      expect(await b.app.get(EntityManager).fork().findOne(Segment, { id: segment.id })).toBeNull();
    }, 60_000);

    it.each([
      { attempts: 3, outcome: 'failed' as const },
      { attempts: 1, outcome: 'retried' as const },
    ])(
      'a dead run the other scheduler takes over before the claim ($outcome there): only that scheduler reports it or queues its retry',
      async ({ attempts, outcome }) => {
        world.clock.set(new Date());
        const now = world.clock.now().getTime();
        const segment = await tools.sqlSegment();
        const generation = segment.generation + 1;
        await tools.updateSegment(segment.id, {
          status: SegmentStatus.RUNNING,
          generation,
          attempts,
          readyDuringRun: true,
          runRequestedAt: new Date(now - 11 * MINUTE),
          runHeartbeatAt: new Date(now - 10 * MINUTE),
        });
        resetTallies();

        let theirs: MaintenanceReport | undefined;
        const ours = await tickRacing(a, segment.id, 'before the claim', async () => {
          theirs = await b.maintainSegments();
        });
        await tools.idle();

        expect({ theirs: theirs?.[outcome], ours: ours[outcome] }).toEqual({
          theirs: [segment.id],
          ours: [],
        });
        const retry = `segment.materialize:${segment.id}`;
        const jobsOf = (scheduler: Scheduler) =>
          scheduler.tally.enqueued.filter((entry) => entry.endsWith(`:${segment.id}`));
        expect({ theirs: jobsOf(b), ours: jobsOf(a) }).toEqual({
          theirs: outcome === 'retried' ? [retry] : [],
          ours: [],
        });
        const after = await tools.segment(segment.id);
        if (outcome === 'failed') {
          expect(after.status).toBe(SegmentStatus.FAILED);
        } else {
          expect({ status: after.status, attempts: after.attempts, datasetId: after.datasetId }).toEqual({
            status: SegmentStatus.READY,
            attempts: 2,
            datasetId: `${segment.id}-g${generation}-a2`,
          });
          expect(tools.readsOf(segment.query as string)).toBe(1);
        }
      },
      60_000,
    );
  });
});
