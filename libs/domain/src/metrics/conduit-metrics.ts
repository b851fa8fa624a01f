import type {
  ProviderObserver,
  ProviderRequestObservation,
  RateLimitWaitObservation,
} from '@conduit/destinations-core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { logContext } from '../common/log-context';

/** One queue's depth by state and the age of its oldest job not yet started, read at scrape time. */
export interface QueueSnapshot {
  queue: string;
  /** Jobs by state: `waiting`, `active`, `delayed`… (BullMQ's states; the in-process runner has two). */
  jobs: Record<string, number>;
  /** Age of the oldest job waiting to start (0 when none waits). */
  oldestWaitingSeconds: number;
}

/** What the scrape-time gauges read: the database (exports by status) and the job runner (queues). */
export interface MetricsSources {
  exportsByStatus(): Promise<Record<string, number>>;
  queues(): Promise<QueueSnapshot[]>;
}

export interface ConduitMetricsOptions {
  /** The process figures prom-client collects (CPU, RSS, heap, event loop lag, GC); on by default. */
  defaultMetrics?: boolean;
  /** Told when a scrape-time source fails (the scrape still answers, without that source's series). */
  onSourceError?: (source: string, error: unknown) => void;
  /** How long a scrape waits for one source (default 5 s): a slow database never hangs the scrape. */
  sourceTimeoutMs?: number;
  /** Told of every provider request, with the export it served when there is one (debug logs). */
  onProviderRequest?: (observation: ProviderRequestObservation, exportId: string | undefined) => void;
}

const PREFIX = 'conduit_';

interface ScrapeReads {
  exports: Promise<Record<string, number> | undefined>;
  queues: Promise<QueueSnapshot[] | undefined>;
}

/**
 * The process's Prometheus registry and every Conduit metric, in one place so names, labels and
 * buckets stay consistent. Labels are bounded by construction: statuses, provider ids, endpoint
 * templates, answer codes, Nest route patterns; never an id, a URL or a customer's value.
 * One instance per process: the app creates it with its settings and the domain shares it.
 */
export class ConduitMetrics implements ProviderObserver {
  readonly registry = new Registry();
  private sources?: MetricsSources;
  /** The sources read for the scrape under way (before any metric is written, failures counted). */
  private scrape?: ScrapeReads;

  private readonly exports = new Counter({
    name: `${PREFIX}exports_total`,
    help: 'Exports that reached each status (a resumed run reaches RUNNING again).',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly identifiersSent = new Counter({
    name: `${PREFIX}export_identifiers_sent_total`,
    help: 'Distinct identifiers providers accepted, counted once per export when its sending completes.',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly providerRequests = new Counter({
    name: `${PREFIX}provider_requests_total`,
    help: 'Requests to providers by endpoint and answer code (HTTP status, provider error code, timeout, network).',
    labelNames: ['provider', 'endpoint', 'code'],
    registers: [this.registry],
  });
  private readonly providerLatency = new Histogram({
    name: `${PREFIX}provider_request_duration_seconds`,
    help: 'Provider request latency, from the request leaving (after any rate-limit wait) to its answer.',
    labelNames: ['provider', 'endpoint'],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly rateLimitWaits = new Counter({
    name: `${PREFIX}provider_rate_limit_waits_total`,
    help: 'Provider requests that waited for a slot under the shared request limit.',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly rateLimitWaitSeconds = new Counter({
    name: `${PREFIX}provider_rate_limit_wait_seconds_total`,
    help: 'Time provider requests spent waiting for a slot under the shared request limit.',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly leaseLosses = new Counter({
    name: `${PREFIX}export_lease_losses_total`,
    help: 'Export runs that stopped because another worker took their export over (their lease expired).',
    registers: [this.registry],
  });
  private readonly leaseRecoveries = new Counter({
    name: `${PREFIX}export_lease_recoveries_total`,
    help: 'Exports whose run went silent (its worker died or stalled) taken over by a run in this process.',
    registers: [this.registry],
  });
  private readonly materializations = new Counter({
    name: `${PREFIX}segment_materializations_total`,
    help: 'Segment materialization runs by outcome: ready, failed, superseded (a newer run was asked).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly materializationDuration = new Histogram({
    name: `${PREFIX}segment_materialization_duration_seconds`,
    help: 'Segment materialization run time, by outcome.',
    labelNames: ['outcome'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly materializedRows = new Counter({
    name: `${PREFIX}segment_materialized_rows_total`,
    help: 'Rows written by segment materializations that made their segment READY.',
    registers: [this.registry],
  });
  private readonly httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern (never the raw URL) and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly sourceErrors = new Counter({
    name: `${PREFIX}metrics_source_errors_total`,
    help: 'Scrape-time sources (database, queue) that could not be read; their series are absent then.',
    labelNames: ['source'],
    registers: [this.registry],
  });

  // Read at scrape time from the sources the domain wires (`useSources`).
  private readonly exportsNow: Gauge<'status'> = new Gauge({
    name: `${PREFIX}exports`,
    help: 'Exports in each unfinished status now (QUEUED, RUNNING, PROCESSING), read from the database at scrape.',
    labelNames: ['status'],
    registers: [this.registry],
    collect: async () => {
      const counts = await this.sourced().exports;
      this.exportsNow.reset();
      for (const [status, count] of Object.entries(counts ?? {})) this.exportsNow.set({ status }, count);
    },
  });
  private readonly queueJobs: Gauge<'queue' | 'state'> = new Gauge({
    name: `${PREFIX}queue_jobs`,
    help: 'Jobs in the job queue by state, read at scrape (BullMQ with Redis, else the in-process runner).',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
    collect: async () => {
      const queues = await this.sourced().queues;
      this.queueJobs.reset();
      for (const snapshot of queues ?? [])
        for (const [state, count] of Object.entries(snapshot.jobs))
          this.queueJobs.set({ queue: snapshot.queue, state }, count);
    },
  });
  private readonly oldestJob: Gauge<'queue'> = new Gauge({
    name: `${PREFIX}queue_oldest_job_age_seconds`,
    help: 'Age of the oldest job waiting to start in the queue (0 when none waits), read at scrape.',
    labelNames: ['queue'],
    registers: [this.registry],
    collect: async () => {
      const queues = await this.sourced().queues;
      this.oldestJob.reset();
      for (const snapshot of queues ?? [])
        this.oldestJob.set({ queue: snapshot.queue }, snapshot.oldestWaitingSeconds);
    },
  });

  constructor(private readonly options: ConduitMetricsOptions = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** The Content-Type of `text()`: Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus text format (scrape-time sources are read now, once per scrape). */
  async text(): Promise<string> {
    const scrape = this.readSources();
    this.scrape = scrape;
    try {
      await Promise.all([scrape.exports, scrape.queues]);
      return await this.registry.metrics();
    } finally {
      if (this.scrape === scrape) this.scrape = undefined;
    }
  }

  /** Where the scrape-time gauges read from (the domain wires its database and job runner). */
  useSources(sources: MetricsSources): void {
    this.sources = sources;
  }

  exportReached(status: string): void {
    this.exports.inc({ status });
  }

  exportSent(provider: string, identifiers: number): void {
    this.identifiersSent.inc({ provider }, identifiers);
  }

  leaseLost(): void {
    this.leaseLosses.inc();
  }

  leaseRecovered(): void {
    this.leaseRecoveries.inc();
  }

  segmentMaterialized(outcome: 'ready' | 'failed' | 'superseded', seconds: number, rows: number): void {
    this.materializations.inc({ outcome });
    this.materializationDuration.observe({ outcome }, seconds);
    if (outcome === 'ready') this.materializedRows.inc(rows);
  }

  httpRequest(request: { method: string; route: string; status: number; seconds: number }): void {
    this.httpRequests.inc({ method: request.method, route: request.route, status: String(request.status) });
    this.httpDuration.observe({ method: request.method, route: request.route }, request.seconds);
  }

  requestFinished(observation: ProviderRequestObservation): void {
    const { provider, endpoint, code } = observation;
    this.providerRequests.inc({ provider, endpoint, code });
    this.providerLatency.observe({ provider, endpoint }, observation.durationSeconds);
    this.options.onProviderRequest?.(observation, logContext()?.exportId);
  }

  rateLimitWaited(observation: RateLimitWaitObservation): void {
    this.rateLimitWaits.inc({ provider: observation.provider });
    this.rateLimitWaitSeconds.inc({ provider: observation.provider }, observation.waitedSeconds);
  }

  /** This scrape's reads; a collect outside `text()` (the registry read directly) reads anew. */
  private sourced(): ScrapeReads {
    return this.scrape ?? this.readSources();
  }

  private readSources(): ScrapeReads {
    return {
      exports: this.read('database', (sources) => sources.exportsByStatus()),
      queues: this.read('queue', (sources) => sources.queues()),
    };
  }

  private async read<T>(
    source: string,
    read: (sources: MetricsSources) => Promise<T>,
  ): Promise<T | undefined> {
    if (!this.sources) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.options.sourceTimeoutMs ?? 5000;
    try {
      return await Promise.race([
        read(this.sources),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          timer.unref();
        }),
      ]);
    } catch (error) {
      this.sourceErrors.inc({ source });
      this.options.onSourceError?.(source, error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
