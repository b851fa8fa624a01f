import { randomBytes } from 'node:crypto';
import { ExportStatus, JobRunner, SegmentStatus, type JobName } from '@conduit/domain';
import { figuresDatabase, recordFigures } from '@conduit/domain/testing';
import {
  PEOPLE,
  startSchedulerWorld,
  WorldTools,
  type Scheduler,
  type SchedulerWorld,
} from './scheduler-world';

// Issue 13, part 4, on BullMQ: both schedulers are workers of one Redis queue. A job added twice by
// each of them (four deliveries, to either worker, at once) does its work once; so does a run both
// schedulers' maintenance re-queues after its worker died. The database claims decide, not the queue.

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl)
  console.warn('Scheduler races on BullMQ SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run them.');

const MINUTE = 60_000;

(redisUrl ? describe : describe.skip)(`scheduler maintenance races (${figuresDatabase()}, BullMQ)`, () => {
  let world: SchedulerWorld;
  let tools: WorldTools;
  let a: Scheduler;
  let b: Scheduler;
  const started = Date.now();
  const figures = { deliveries: 0, duplicateDeliveries: 0, workDone: 0, workDoneTwice: 0 };

  beforeAll(async () => {
    world = await startSchedulerWorld({
      REDIS_URL: redisUrl as string,
      CONDUIT_QUEUE_PREFIX: `conduit-races-${randomBytes(4).toString('hex')}`,
      // Fairness between companies is not under test: one company may use every slot.
      JOB_CONCURRENCY: '4',
      JOB_CONCURRENCY_PER_COMPANY: '4',
    });
    ({ a, b } = world);
    tools = new WorldTools(world);
  }, 60_000);

  afterAll(async () => {
    await tools?.idle();
    await world?.close();
    recordFigures('Scheduler races BullMQ', {
      ...figures,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    });
  });

  /** The same job added to the queue twice by each scheduler: four deliveries of one piece of work. */
  async function deliverFourTimes(name: JobName, id: string): Promise<void> {
    const companyId = world.principal.companyId;
    await Promise.all(
      [a, b, a, b].map((scheduler) => scheduler.app.get(JobRunner).enqueue(name, id, companyId)),
    );
    figures.deliveries += 4;
    figures.duplicateDeliveries += 3;
    await tools.idle();
  }

  it('a materialization queued four times, on both workers, runs its source once', async () => {
    world.clock.set(new Date());
    const pending = await tools.sqlSegment({ hold: true });
    expect(pending.status).toBe(SegmentStatus.PENDING);
    await deliverFourTimes('segment.materialize', pending.id);
    // And once more after it is done (a redelivery of a job whose completion was not recorded).
    await deliverFourTimes('segment.materialize', pending.id);
    const done = await tools.segment(pending.id);
    expect({ status: done.status, generation: done.generation, attempts: done.attempts }).toEqual({
      status: SegmentStatus.READY,
      generation: 0,
      attempts: 1,
    });
    const reads = tools.readsOf(pending.query as string);
    expect(reads).toBe(1);
    figures.workDone += reads;
    figures.workDoneTwice += reads - 1;
  }, 60_000);

  it('an export run queued four times sends its identifiers once', async () => {
    const segment = await tools.sqlSegment();
    const uploadsBefore = tools.uploads();
    const exportId = await tools.queuedExport(segment.id, 'Queued four times');
    await deliverFourTimes('export.run', exportId);
    await deliverFourTimes('export.run', exportId);
    await Promise.all([a.maintainExports(), b.maintainExports()]);
    expect((await tools.exported(exportId)).status).toBe(ExportStatus.COMPLETED);
    const events = await tools.eventCounts(exportId);
    expect({
      started: events['STARTED'],
      resumed: events['RESUMED'] ?? 0,
      sent: events['SENT'],
      completed: events['COMPLETED'],
    }).toEqual({ started: 1, resumed: 0, sent: 1, completed: 1 });
    const uploads = tools.uploads() - uploadsBefore;
    expect(uploads).toBe(1);
    expect(tools.audience('Queued four times')).toEqual({ size: PEOPLE, identifiers: PEOPLE, changes: 1 });
    figures.workDone += uploads;
    figures.workDoneTwice += uploads - 1;
  }, 60_000);

  it('work whose worker died is re-queued by both schedulers and done once: a run, an export, an expiry', async () => {
    world.clock.set(new Date());
    const at = (offset: number) => new Date(world.clock.now().getTime() + offset);
    // A refresh whose worker died mid-run, an export whose worker died mid-send, a segment past its window.
    const dead = await tools.sqlSegment();
    await tools.updateSegment(dead.id, {
      status: SegmentStatus.RUNNING,
      generation: dead.generation + 1,
      attempts: 1,
      readyDuringRun: true,
      runRequestedAt: at(-11 * MINUTE),
      runHeartbeatAt: at(-10 * MINUTE),
    });
    const source = await tools.sqlSegment();
    const exportId = await tools.queuedExport(source.id, 'Worker died mid-send');
    await tools.updateExport(exportId, {
      status: ExportStatus.RUNNING,
      attempts: 1,
      startedAt: at(-11 * MINUTE),
      heartbeatAt: at(-10 * MINUTE),
    });
    const expiring = await tools.sqlSegment();
    await tools.updateSegment(expiring.id, { expiresAt: at(-1) });
    const uploadsBefore = tools.uploads();
    const readsBefore = tools.readsOf(dead.query as string);

    for (let round = 0; round < 5; round++) {
      await Promise.all([
        a.maintainSegments(),
        b.maintainSegments(),
        a.maintainExports(),
        b.maintainExports(),
      ]);
    }
    await tools.idle();
    await Promise.all([a.maintainExports(), b.maintainExports()]);

    const requeued = [...a.tally.enqueued, ...b.tally.enqueued];
    figures.deliveries += requeued.filter((job) => job === `export.run:${exportId}`).length;
    figures.duplicateDeliveries += Math.max(
      0,
      requeued.filter((job) => job === `export.run:${exportId}`).length - 1,
    );
    expect(tools.occurrences('retried', [dead.id])).toEqual({ [dead.id]: 1 });
    expect(tools.occurrences('expired', [expiring.id])).toEqual({ [expiring.id]: 1 });
    expect(tools.readsOf(dead.query as string) - readsBefore).toBe(1);
    expect((await tools.segment(dead.id)).status).toBe(SegmentStatus.READY);
    const events = await tools.eventCounts(exportId);
    expect({ resumed: events['RESUMED'], sent: events['SENT'], completed: events['COMPLETED'] }).toEqual({
      resumed: 1,
      sent: 1,
      completed: 1,
    });
    expect(tools.uploads() - uploadsBefore).toBe(1);
    expect(tools.audience('Worker died mid-send')).toEqual({ size: PEOPLE, identifiers: PEOPLE, changes: 1 });
    figures.workDone += 3;
    figures.workDoneTwice +=
      tools.readsOf(dead.query as string) - readsBefore - 1 + (tools.uploads() - uploadsBefore - 1);
  }, 60_000);
});
