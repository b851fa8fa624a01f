import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { reportConnectionTrouble } from '../common/connection-trouble';
import { withLogContext, type LogBindings } from '../common/log-context';
import type { QueueSnapshot } from '../metrics/conduit-metrics';
import { ClosableRedisConnection } from './closable-redis-connection';
import { TenantSlots } from './tenant-slots';

/** Work that runs outside the request that asked for it. The database holds its state; a job carries an id. */
export type JobName = 'segment.materialize' | 'export.run';

export type JobHandler = (id: string) => Promise<void>;

/** How many jobs run at once: in all, and for one company (so one tenant cannot starve the others). */
export interface JobConcurrency {
  total: number;
  perCompany: number;
}

/** By default a company may use every slot but one: another company's job never waits for it. */
export function defaultJobConcurrency(total = 2): JobConcurrency {
  return { total, perCompany: Math.max(1, total - 1) };
}

/**
 * Thrown by a handler that stopped at a safe point because the process is shutting down
 * (`JobRunner.shutdownSignal`): its job goes back to the queue as it was, for another worker.
 */
export class JobInterruptedError extends Error {
  override readonly name = 'JobInterruptedError';
}

/**
 * The job runner port: in this process by default, BullMQ on Redis at scale. Handlers must be
 * idempotent (a job may run again after a crash); the database says what is left to do. Every job
 * names the company it works for: a company runs at most `perCompany` jobs at once, everywhere.
 */
export abstract class JobRunner {
  abstract enqueue(name: JobName, id: string, companyId: string): Promise<void>;
  abstract register(name: JobName, handler: JobHandler): void;
  /** Resolves when no job is running (in-process) — for orderly shutdown and specs. */
  abstract idle(): Promise<void>;
  abstract close(): Promise<void>;
  /** Jobs by state and the oldest waiting job's age, for the metrics (read at scrape time). */
  abstract snapshot(): Promise<QueueSnapshot>;

  private readonly stopping = new AbortController();

  /** Aborted once the process starts shutting down: long handlers stop at their next safe point. */
  get shutdownSignal(): AbortSignal {
    return this.stopping.signal;
  }

  /**
   * Nest calls this first on shutdown, while the database is still open: no new job starts, running
   * handlers are told to stop (`shutdownSignal`), and this waits for them to hand their jobs back.
   */
  async beforeApplicationShutdown(): Promise<void> {
    // Stop taking jobs first (a job handed back must not come back here), then stop the running ones.
    const closed = this.close();
    this.stopping.abort();
    await closed;
  }

  /** Nest calls this on shutdown: running jobs finish (in-process) or are left to Redis (BullMQ). */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * Runs one job, saying at info level that it started and finished (a failure at error level, then
   * rethrown). Only the job's kind and ids are logged: never its data, which the database holds.
   */
  protected async runLogged(logger: Logger, job: LoggedJob, handler: JobHandler): Promise<void> {
    const fields = {
      job: job.name,
      entityId: job.id,
      ...(job.companyId ? { companyId: job.companyId } : {}),
      ...(job.attempt ? { attempt: job.attempt } : {}),
    };
    const what = `Job ${job.name} ${job.id}${job.attempt && job.attempt > 1 ? ` (attempt ${job.attempt})` : ''}`;
    // Every line the job writes (its own, the provider calls', the retries') names what it works on.
    const bindings = LOGGED_AS[job.name as JobName]?.(job.id) ?? {};
    return withLogContext(bindings, () => this.runWith(logger, fields, what, job, handler));
  }

  private async runWith(
    logger: Logger,
    fields: Record<string, unknown>,
    what: string,
    job: LoggedJob,
    handler: JobHandler,
  ): Promise<void> {
    const started = Date.now();
    logger.log(fields, `${what} started`);
    try {
      await handler(job.id);
    } catch (error) {
      const durationMs = Date.now() - started;
      if (error instanceof JobInterruptedError) {
        logger.log({ ...fields, durationMs }, `${what} handed back after ${durationMs} ms: ${error.message}`);
        throw error;
      }
      logger.error({ ...fields, durationMs, err: error }, `${what} failed after ${durationMs} ms`);
      throw error;
    }
    const durationMs = Date.now() - started;
    logger.log({ ...fields, durationMs }, `${what} finished in ${durationMs} ms`);
  }
}

/** The log field naming each job's subject, bound to every line the job writes. */
const LOGGED_AS: Record<JobName, (id: string) => LogBindings> = {
  'export.run': (exportId) => ({ exportId }),
  'segment.materialize': (segmentId) => ({ segmentId }),
};

/** What a job's log lines name. */
interface LoggedJob {
  name: string;
  id: string;
  companyId?: string;
  /** BullMQ: 1 for the first run, 2 after one failure… */
  attempt?: number;
}

interface QueuedJob {
  name: JobName;
  id: string;
  companyId: string;
  /** When it was first queued (ms since epoch), for the oldest-job age. */
  queuedAt: number;
}

/**
 * Runs jobs in this process, a few at a time; the same job enqueued twice while queued runs once.
 * The next job to start is the oldest one whose company is under its share of the slots.
 */
export class InProcessJobRunner extends JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<JobName, JobHandler>();
  private readonly queued = new Map<string, QueuedJob>();
  private readonly running = new Set<Promise<void>>();
  private readonly runningPerCompany = new Map<string, number>();
  private closed = false;

  constructor(private readonly concurrency: JobConcurrency = defaultJobConcurrency()) {
    super();
  }

  register(name: JobName, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  async enqueue(name: JobName, id: string, companyId: string): Promise<void> {
    if (this.closed) return;
    const key = `${name}:${id}`;
    this.queued.set(key, { name, id, companyId, queuedAt: this.queued.get(key)?.queuedAt ?? Date.now() });
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

  async snapshot(): Promise<QueueSnapshot> {
    let oldest = Infinity;
    for (const job of this.queued.values()) oldest = Math.min(oldest, job.queuedAt);
    return {
      queue: IN_PROCESS_QUEUE,
      jobs: { waiting: this.queued.size, active: this.running.size },
      oldestWaitingSeconds: oldest === Infinity ? 0 : Math.max(0, Date.now() - oldest) / 1000,
    };
  }

  private pump(): void {
    while (this.running.size < this.concurrency.total) {
      const next = this.nextEligible();
      if (!next) return;
      const [key, job] = next;
      this.queued.delete(key);
      const handler = this.handlers.get(job.name);
      if (!handler) {
        this.logger.error(`No handler for job ${job.name}; dropped ${job.id}`);
        continue;
      }
      this.count(job.companyId, +1);
      const run: Promise<void> = this.runLogged(this.logger, job, handler)
        .catch(() => undefined) // logged by runLogged; the next job still runs
        .finally(() => {
          this.count(job.companyId, -1);
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  private nextEligible(): [string, QueuedJob] | undefined {
    for (const entry of this.queued) {
      if ((this.runningPerCompany.get(entry[1].companyId) ?? 0) < this.concurrency.perCompany) return entry;
    }
    return undefined;
  }

  private count(companyId: string, delta: number): void {
    const next = (this.runningPerCompany.get(companyId) ?? 0) + delta;
    if (next > 0) this.runningPerCompany.set(companyId, next);
    else this.runningPerCompany.delete(companyId);
  }
}

const QUEUE = 'conduit-jobs';
/** The in-process runner's name in metrics: the same as the BullMQ queue's, so dashboards fit both. */
const IN_PROCESS_QUEUE = QUEUE;

/** What a queued job carries; jobs queued before fairness existed name no company and run unmetered. */
interface QueuedJobData {
  id: string;
  companyId?: string;
}
/** How long closing waits for a worker's connections to finish starting (Redis may be unreachable). */
const WORKER_START_UP_WAIT_MS = 5000;
/** A company at its share waits this long before its next job is tried again. */
const FAIR_SHARE_RETRY_MS = 1000;
/** Retried with backoff after a failure; kept a while for inspection. */
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: 1000,
  removeOnFail: 1000,
};

/**
 * BullMQ on Redis: any process may enqueue; processes started with `work: true` (the schedulers) run
 * the jobs. A job that fails is retried with backoff; the handler's own state in the database decides
 * whether there is anything left to do. A job whose company already runs its share of jobs (counted
 * across every worker in Redis) steps aside for a second, without spending an attempt.
 */
export class BullMqJobRunner extends JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly queue: Queue;
  private readonly handlers = new Map<JobName, JobHandler>();
  private readonly concurrency: JobConcurrency;
  private worker?: Worker;
  private slots?: TenantSlots;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly options: { work: boolean; concurrency?: JobConcurrency; prefix?: string },
  ) {
    super();
    this.concurrency = options.concurrency ?? defaultJobConcurrency();
    this.queue = new Queue(QUEUE, { connection, prefix: options.prefix }, ClosableRedisConnection);
    reportConnectionTrouble(this.queue, 'Job queue (Redis)', this.logger);
  }

  register(name: JobName, handler: JobHandler): void {
    this.handlers.set(name, handler);
    if (this.options.work && !this.worker) {
      this.slots = new TenantSlots(this.queue, `${this.options.prefix ?? 'bull'}:${QUEUE}:running`);
      this.worker = new Worker(QUEUE, (job, token) => this.runFairly(job, token), {
        connection: this.connection,
        concurrency: this.concurrency.total,
        prefix: this.options.prefix,
      });
      reportConnectionTrouble(this.worker, 'Job worker (Redis)', this.logger);
    }
  }

  async enqueue(name: JobName, id: string, companyId: string): Promise<void> {
    await this.queue.add(name, { id, companyId }, JOB_OPTIONS);
  }

  async idle(): Promise<void> {
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((count) => count === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    if (this.worker) {
      // A worker's blocking connection is BullMQ's own (not ClosableRedisConnection): closed during
      // its start-up it would crash the process, so its start-up is given a bounded moment to finish.
      await Promise.race([
        this.worker.waitUntilReady().catch(() => undefined),
        delay(WORKER_START_UP_WAIT_MS, undefined, { ref: false }),
      ]);
      await this.worker.close();
    }
    await this.queue.close();
  }

  /** BullMQ's counts, and the oldest job not started: the head of `wait`, or among the first delayed. */
  async snapshot(): Promise<QueueSnapshot> {
    const [jobs, waiting, delayed] = await Promise.all([
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'),
      this.queue.getJobs(['wait'], 0, 0, true),
      this.queue.getJobs(['delayed'], 0, 9, true),
    ]);
    const queuedAt = [...waiting, ...delayed].map((job) => job.timestamp).filter((at) => at > 0);
    const oldest = queuedAt.length > 0 ? Math.min(...queuedAt) : undefined;
    return {
      queue: QUEUE,
      jobs,
      oldestWaitingSeconds: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest) / 1000,
    };
  }

  /**
   * Shutdown: the same work goes back to the queue as a fresh job (no attempt spent) for the workers
   * that stay, and this one completes. (Not BullMQ's move-back errors: a worker handing a job back
   * fetches its next one at once, and this closing worker would fetch the same job again.)
   */
  private async handBack(job: Job<QueuedJobData>): Promise<void> {
    await this.queue.add(job.name, job.data, JOB_OPTIONS);
  }

  private async runFairly(job: Job<QueuedJobData>, token?: string): Promise<void> {
    const run = this.handlers.get(job.name as JobName);
    if (!run) throw new Error(`No handler for job ${job.name}`);
    if (this.shutdownSignal.aborted) return this.handBack(job);
    const { id, companyId } = job.data;
    const slots = this.slots as TenantSlots;
    const lease = companyId
      ? await slots.acquire(companyId, `${job.id}`, this.concurrency.perCompany)
      : undefined;
    if (companyId && !lease) {
      await job.moveToDelayed(Date.now() + FAIR_SHARE_RETRY_MS, token);
      throw new DelayedError();
    }
    try {
      await this.runLogged(
        this.logger,
        { name: job.name, id, ...(companyId ? { companyId } : {}), attempt: job.attemptsMade + 1 },
        run,
      );
    } catch (error) {
      if (!(error instanceof JobInterruptedError)) throw error;
      await lease?.release();
      await this.handBack(job);
    } finally {
      await lease?.release();
    }
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
