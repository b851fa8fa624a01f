import { Logger } from '@nestjs/common';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';

/** Work that runs outside the request that asked for it. The database holds its state; a job carries an id. */
export type JobName = 'segment.materialize';

export type JobHandler = (id: string) => Promise<void>;

/**
 * The job runner port: in this process by default, BullMQ on Redis at scale. Handlers must be
 * idempotent (a job may run again after a crash); the database says what is left to do.
 */
export abstract class JobRunner {
  abstract enqueue(name: JobName, id: string): Promise<void>;
  abstract register(name: JobName, handler: JobHandler): void;
  /** Resolves when no job is running (in-process) — for orderly shutdown and specs. */
  abstract idle(): Promise<void>;
  abstract close(): Promise<void>;

  /** Nest calls this on shutdown: running jobs finish (in-process) or are left to Redis (BullMQ). */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** Runs jobs in this process, a few at a time; the same job enqueued twice while queued runs once. */
export class InProcessJobRunner extends JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<JobName, JobHandler>();
  private readonly queued = new Map<string, { name: JobName; id: string }>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly concurrency = 2) {
    super();
  }

  register(name: JobName, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  async enqueue(name: JobName, id: string): Promise<void> {
    if (this.closed) return;
    this.queued.set(`${name}:${id}`, { name, id });
    this.pump();
  }

  async idle(): Promise<void> {
    while (this.running.size > 0 || this.queued.size > 0) {
      await Promise.allSettled([...this.running]);
      this.pump();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queued.clear();
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queued.size > 0) {
      const [key, job] = this.queued.entries().next().value as [string, { name: JobName; id: string }];
      this.queued.delete(key);
      const handler = this.handlers.get(job.name);
      if (!handler) {
        this.logger.error(`No handler for job ${job.name}; dropped ${job.id}`);
        continue;
      }
      const run: Promise<void> = handler(job.id)
        .catch((error: unknown) => this.logger.error({ err: error }, `Job ${job.name} ${job.id} failed`))
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }
}

const QUEUE = 'conduit-jobs';

/**
 * BullMQ on Redis: any process may enqueue; processes started with `work: true` (the schedulers) run
 * the jobs. A job that fails is retried with backoff; the handler's own state in the database decides
 * whether there is anything left to do.
 */
export class BullMqJobRunner extends JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly queue: Queue;
  private readonly handlers = new Map<JobName, JobHandler>();
  private worker?: Worker;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly options: { work: boolean; concurrency?: number; prefix?: string },
  ) {
    super();
    this.queue = new Queue(QUEUE, { connection, prefix: options.prefix });
    this.queue.on('error', (error) => this.logger.warn(`Redis queue error: ${error.message}`));
  }

  register(name: JobName, handler: JobHandler): void {
    this.handlers.set(name, handler);
    if (this.options.work && !this.worker) {
      this.worker = new Worker(
        QUEUE,
        async (job) => {
          const run = this.handlers.get(job.name as JobName);
          if (!run) throw new Error(`No handler for job ${job.name}`);
          await run((job.data as { id: string }).id);
        },
        {
          connection: this.connection,
          concurrency: this.options.concurrency ?? 2,
          prefix: this.options.prefix,
        },
      );
      this.worker.on('error', (error) => this.logger.warn(`Redis worker error: ${error.message}`));
    }
  }

  async enqueue(name: JobName, id: string): Promise<void> {
    await this.queue.add(
      name,
      { id },
      {
        attempts: 3,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
    );
  }

  async idle(): Promise<void> {
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((count) => count === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

/** Parses redis:// and rediss:// URLs into BullMQ connection options. */
export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
