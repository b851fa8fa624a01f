import { randomBytes } from 'node:crypto';
import { BullMqJobRunner, InProcessJobRunner, redisConnection } from './job-runner';

describe('InProcessJobRunner', () => {
  it('runs jobs a few at a time, coalesces a job queued twice, survives a failing handler', async () => {
    const runner = new InProcessJobRunner(1);
    const ran: string[] = [];
    runner.register('segment.materialize', async (id) => {
      ran.push(id);
      if (id === 'boom') throw new Error('boom');
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await runner.enqueue('segment.materialize', 'a');
    await runner.enqueue('segment.materialize', 'boom');
    await runner.enqueue('segment.materialize', 'b');
    await runner.enqueue('segment.materialize', 'b');
    await runner.idle();
    expect(ran).toEqual(['a', 'boom', 'b']);
    await runner.close();
    await runner.enqueue('segment.materialize', 'after-close');
    await runner.idle();
    expect(ran).not.toContain('after-close');
  });
});

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) {
  console.warn('BullMqJobRunner suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');
}

(redisUrl ? describe : describe.skip)('BullMqJobRunner (Redis)', () => {
  const prefix = `conduit-test-${randomBytes(4).toString('hex')}`;

  it('carries a job from a producer-only process to a worker process, and retries a failure', async () => {
    const connection = redisConnection(redisUrl as string);
    const producer = new BullMqJobRunner(connection, { work: false, prefix });
    const worker = new BullMqJobRunner(connection, { work: true, prefix });
    const ran: string[] = [];
    let failures = 0;
    const done = new Promise<void>((resolve) => {
      worker.register('segment.materialize', async (id) => {
        if (id === 'flaky' && failures === 0) {
          failures += 1;
          throw new Error('first attempt fails');
        }
        ran.push(id);
        if (ran.length === 2) resolve();
      });
    });
    producer.register('segment.materialize', async () => {
      throw new Error('a producer-only runner never runs jobs');
    });
    try {
      await producer.enqueue('segment.materialize', 'seg_1');
      await producer.enqueue('segment.materialize', 'flaky');
      await done;
      expect(ran.sort()).toEqual(['flaky', 'seg_1']);
      expect(failures).toBe(1);
      await producer.idle();
    } finally {
      await producer.close();
      await worker.close();
    }
  }, 30_000);

  it('parses Redis URLs', () => {
    expect(redisConnection('rediss://user:p%40ss@cache.example.com:6380/2')).toMatchObject({
      host: 'cache.example.com',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
  });
});
