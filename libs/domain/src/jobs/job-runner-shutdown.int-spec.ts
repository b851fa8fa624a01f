import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { BullMqJobRunner, InProcessJobRunner, JobInterruptedError, redisConnection } from './job-runner';

// Shutdown (Nest's beforeApplicationShutdown): the runner tells running handlers to stop through its
// shutdownSignal and waits for them; a handler that stops throws JobInterruptedError and its job goes
// back to the queue as it was (BullMQ), for another worker.

/** A handler that runs until the runner's shutdown signal, then hands its job back. */
function untilShutdown(signal: () => AbortSignal, started: string[]) {
  return (id: string) =>
    new Promise<void>((_, fail) => {
      started.push(id);
      if (signal().aborted) fail(new JobInterruptedError(`${id} not started: shutting down`));
      signal().addEventListener(
        'abort',
        () => fail(new JobInterruptedError(`${id} stopped at a safe point`)),
        {
          once: true,
        },
      );
    });
}

describe('job runners on shutdown', () => {
  afterEach(() => jest.restoreAllMocks());

  it('in process: signals the running handler, waits for it, logs the hand-back at info level, starts nothing new', async () => {
    const info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const runner = new InProcessJobRunner({ total: 1, perCompany: 1 });
    const started: string[] = [];
    runner.register(
      'export.run',
      untilShutdown(() => runner.shutdownSignal, started),
    );
    await runner.enqueue('export.run', 'exp_1', 'cmp_a');
    await runner.enqueue('export.run', 'exp_2', 'cmp_a');
    expect(runner.shutdownSignal.aborted).toBe(false);
    await runner.beforeApplicationShutdown();
    expect(runner.shutdownSignal.aborted).toBe(true);
    expect(started).toEqual(['exp_1']);
    expect(error).not.toHaveBeenCalled();
    expect(info.mock.calls.map(([, message]) => message)).toEqual([
      'Job export.run exp_1 started',
      expect.stringMatching(
        /^Job export\.run exp_1 handed back after \d+ ms: exp_1 stopped at a safe point$/,
      ),
    ]);
  });

  (process.env['REDIS_URL'] ? it : it.skip)(
    'BullMQ: the interrupted job goes back to the queue, no attempt spent, and the next worker runs it',
    async () => {
      jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const connection = redisConnection(process.env['REDIS_URL'] as string);
      const prefix = `conduit-shutdown-spec-${randomBytes(4).toString('hex')}`;
      const first = new BullMqJobRunner(connection, { work: true, prefix });
      const started: string[] = [];
      first.register(
        'export.run',
        untilShutdown(() => first.shutdownSignal, started),
      );
      await first.enqueue('export.run', 'exp_1', 'cmp_a');
      while (started.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await first.beforeApplicationShutdown();
      await first.onApplicationShutdown();

      const queue = new Queue('conduit-jobs', { connection, prefix });
      try {
        // Back in the queue for the workers that stay (a fresh job: see handBack), not failed.
        expect(await queue.getJobCounts('wait', 'active', 'failed', 'delayed')).toEqual({
          wait: 1,
          active: 0,
          failed: 0,
          delayed: 0,
        });
        const [job] = await queue.getJobs(['wait']);
        expect(job?.data).toEqual({ id: 'exp_1', companyId: 'cmp_a' });
        expect(job?.attemptsMade).toBe(0);
        const second = new BullMqJobRunner(connection, { work: true, prefix });
        const ran: string[] = [];
        second.register('export.run', async (id) => {
          ran.push(id);
        });
        await second.idle();
        expect(ran).toEqual(['exp_1']);
        await second.close();
        await queue.obliterate({ force: true });
      } finally {
        await queue.close();
      }
    },
    30_000,
  );
});
