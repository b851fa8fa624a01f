import { randomBytes } from 'node:crypto';
import { BullMqJobRunner, InProcessJobRunner, redisConnection, type JobRunner } from './job-runner';

/** A handler whose jobs run until the spec releases them, recording the order they started in. */
function gatedHandler() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const startedSignal: Array<() => void> = [];
  return {
    started,
    handler: (id: string) =>
      new Promise<void>((finish) => {
        started.push(id);
        gates.set(id, finish);
        startedSignal.splice(0).forEach((wake) => wake());
      }),
    release: (id: string) => gates.get(id)?.(),
    /** Resolves once `count` jobs have started. */
    whenStarted: async (count: number) => {
      while (started.length < count) await new Promise<void>((wake) => startedSignal.push(wake));
    },
  };
}

/**
 * One tenant's slow jobs hold at most its share of the slots: a job of another company queued after
 * them starts at once, and the tenant's next job waits for its own previous one.
 */
async function expectFairShare(producer: JobRunner, worker: JobRunner): Promise<void> {
  const jobs = gatedHandler();
  worker.register('segment.materialize', jobs.handler);
  await producer.enqueue('segment.materialize', 'acme-1', 'cmp_acme');
  await jobs.whenStarted(1);
  await producer.enqueue('segment.materialize', 'acme-2', 'cmp_acme');
  await producer.enqueue('segment.materialize', 'globex-1', 'cmp_globex');
  await jobs.whenStarted(2);
  expect(jobs.started).toEqual(['acme-1', 'globex-1']);
  jobs.release('globex-1');
  jobs.release('acme-1');
  await jobs.whenStarted(3);
  expect(jobs.started).toEqual(['acme-1', 'globex-1', 'acme-2']);
  jobs.release('acme-2');
  await producer.idle();
}

describe('InProcessJobRunner', () => {
  it('runs jobs a few at a time, coalesces a job queued twice, survives a failing handler', async () => {
    const runner = new InProcessJobRunner({ total: 1, perCompany: 1 });
    const ran: string[] = [];
    runner.register('segment.materialize', async (id) => {
      ran.push(id);
      if (id === 'boom') throw new Error('boom');
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await runner.enqueue('segment.materialize', 'a', 'cmp_a');
    await runner.enqueue('segment.materialize', 'boom', 'cmp_a');
    await runner.enqueue('segment.materialize', 'b', 'cmp_a');
    await runner.enqueue('segment.materialize', 'b', 'cmp_a');
    await runner.idle();
    expect(ran).toEqual(['a', 'boom', 'b']);
    await runner.close();
    await runner.enqueue('segment.materialize', 'after-close', 'cmp_a');
    await runner.idle();
    expect(ran).not.toContain('after-close');
  });

  it('keeps a slot free for other companies: one tenant never holds every slot', async () => {
    const runner = new InProcessJobRunner({ total: 2, perCompany: 1 });
    try {
      await expectFairShare(runner, runner);
    } finally {
      await runner.close();
    }
  });
});

/**
 * Runs `body` and answers the errors no one handled meanwhile: BullMQ reports a failed connection
 * start-up as an 'error' event, which crashes the process when nothing listens.
 */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const record = (error: unknown) => unhandled.push(error);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  try {
    await body();
    // The start-up fails when the closed socket's 'close' event flushes its pending commands.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  }
  return unhandled;
}

/** Opens runners (producers, or workers) and closes each at a different moment of its start-up. */
async function openAndClose(url: string, times: number, work = false): Promise<void> {
  for (let attempt = 0; attempt < times; attempt += 1) {
    const runner = new BullMqJobRunner(redisConnection(url), {
      work,
      prefix: `conduit-test-${randomBytes(4).toString('hex')}`,
    });
    if (work) runner.register('export.run', async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, attempt % 8));
    await runner.close();
  }
}

describe('BullMqJobRunner closed while its connection starts', () => {
  // Port 9 (discard) refuses connections on this machine, as a Redis that is down would.
  it('Redis unreachable: a command that never needed a job closes at once, without crashing the process', async () => {
    const started = Date.now();
    expect(await unhandledDuring(() => openAndClose('redis://127.0.0.1:9', 8))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('Redis unreachable: a worker gives its start-up a bounded wait, then closes without crashing the process', async () => {
    expect(await unhandledDuring(() => openAndClose('redis://127.0.0.1:9', 1, true))).toEqual([]);
  }, 15_000);
});

describe('redisConnection', () => {
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

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) {
  console.warn('BullMqJobRunner suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');
}

(redisUrl ? describe : describe.skip)('BullMqJobRunner (Redis)', () => {
  const prefix = () => `conduit-test-${randomBytes(4).toString('hex')}`;

  it('carries a job from a producer-only process to a worker process, and retries a failure', async () => {
    const connection = redisConnection(redisUrl as string);
    const queue = prefix();
    const producer = new BullMqJobRunner(connection, { work: false, prefix: queue });
    const worker = new BullMqJobRunner(connection, { work: true, prefix: queue });
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
      await producer.enqueue('segment.materialize', 'seg_1', 'cmp_a');
      await producer.enqueue('segment.materialize', 'flaky', 'cmp_a');
      await done;
      expect(ran.sort()).toEqual(['flaky', 'seg_1']);
      expect(failures).toBe(1);
      await producer.idle();
    } finally {
      await producer.close();
      await worker.close();
    }
  }, 30_000);

  it('closes at any moment of its connection start-up (connecting, version check in flight) without crashing the process', async () => {
    // A CLI command is over in milliseconds: BullMQ 5 used to emit an 'error' with no listener when
    // closed while its start-up's INFO was still in flight, and the command died with a stack.
    expect(await unhandledDuring(() => openAndClose(redisUrl as string, 160))).toEqual([]);
    expect(await unhandledDuring(() => openAndClose(redisUrl as string, 40, true))).toEqual([]);
  }, 30_000);

  it('keeps a slot free for other companies across workers, without spending attempts', async () => {
    const connection = redisConnection(redisUrl as string);
    const queue = prefix();
    const concurrency = { total: 2, perCompany: 1 };
    const producer = new BullMqJobRunner(connection, { work: false, prefix: queue, concurrency });
    const worker = new BullMqJobRunner(connection, { work: true, prefix: queue, concurrency });
    try {
      await expectFairShare(producer, worker);
    } finally {
      await producer.close();
      await worker.close();
    }
  }, 30_000);
});
