import { Logger } from '@nestjs/common';
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
