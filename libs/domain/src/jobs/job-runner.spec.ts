import { Logger } from '@nestjs/common';
import { logContext } from '../common/log-context';
import { InProcessJobRunner } from './job-runner';

describe('job runner logs', () => {
  afterEach(() => jest.restoreAllMocks());

  it('says at info level when a job starts and finishes, and at error level when it fails', async () => {
    const info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const runner = new InProcessJobRunner({ total: 1, perCompany: 1 });
    runner.register('segment.materialize', async () => undefined);
    runner.register('export.run', async () => {
      throw new Error('provider down');
    });
    await runner.enqueue('segment.materialize', 'seg_1', 'cmp_a');
    await runner.enqueue('export.run', 'exp_1', 'cmp_a');
    await runner.idle();

    expect(info.mock.calls.map(([, message]) => message)).toEqual([
      'Job segment.materialize seg_1 started',
      expect.stringMatching(/^Job segment\.materialize seg_1 finished in \d+ ms$/),
      'Job export.run exp_1 started',
    ]);
    expect(info.mock.calls[0]?.[0]).toEqual({
      job: 'segment.materialize',
      entityId: 'seg_1',
      companyId: 'cmp_a',
    });
    expect(error).toHaveBeenCalledTimes(1);
    const [fields, message] = error.mock.calls[0] as [Record<string, unknown>, string];
    expect(message).toMatch(/^Job export\.run exp_1 failed after \d+ ms$/);
    expect(fields).toMatchObject({ job: 'export.run', entityId: 'exp_1', companyId: 'cmp_a' });
    expect((fields['err'] as Error).message).toBe('provider down');
  });
});

describe('in-process job runner, as the metrics and the logs see it', () => {
  afterEach(() => jest.restoreAllMocks());

  it('binds the export or segment id to everything a job does (its log lines carry it)', async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const runner = new InProcessJobRunner({ total: 1, perCompany: 1 });
    const seen: unknown[] = [];
    runner.register('export.run', async () => void seen.push(logContext()));
    runner.register('segment.materialize', async () => void seen.push(logContext()));
    await runner.enqueue('export.run', 'exp_1', 'cmp_a');
    await runner.enqueue('segment.materialize', 'seg_1', 'cmp_a');
    await runner.idle();
    expect(seen).toEqual([{ exportId: 'exp_1' }, { segmentId: 'seg_1' }]);
    expect(logContext()).toBeUndefined();
  });

  it('says how many jobs wait and run, and how old the oldest waiting one is', async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const runner = new InProcessJobRunner({ total: 1, perCompany: 1 });
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    runner.register('export.run', () => blocked);
    expect(await runner.snapshot()).toEqual({
      queue: 'conduit-jobs',
      jobs: { waiting: 0, active: 0 },
      oldestWaitingSeconds: 0,
    });
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    await runner.enqueue('export.run', 'exp_1', 'cmp_a');
    await runner.enqueue('export.run', 'exp_2', 'cmp_a');
    now.mockReturnValue(1_030_000);
    // Enqueued again while waiting: still one job, as old as when first queued.
    await runner.enqueue('export.run', 'exp_2', 'cmp_a');
    now.mockReturnValue(1_042_500);
    expect(await runner.snapshot()).toEqual({
      queue: 'conduit-jobs',
      jobs: { waiting: 1, active: 1 },
      oldestWaitingSeconds: 42.5,
    });
    now.mockRestore();
    release();
    await runner.idle();
    expect((await runner.snapshot()).jobs).toEqual({ waiting: 0, active: 0 });
  });
});
