import { EntityManager } from '@mikro-orm/core';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Export, ExportStatus } from '../exports/export.entity';
import { JobRunner } from '../jobs/job-runner';
import { ConduitMetrics } from './conduit-metrics';

/**
 * Points the scrape-time gauges at this process's database and job runner. Scrapes stay cheap: only
 * the active statuses are counted (on the status index; finished exports are the counter's business),
 * and the queue is read through BullMQ's counters, never by listing jobs.
 */
/** The statuses an export holds for a while; the finished ones grow forever and are counted as they happen. */
const GAUGED_STATUSES = [ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.PROCESSING] as const;

@Injectable()
export class MetricsSourcesBinding implements OnModuleInit {
  constructor(
    private readonly metrics: ConduitMetrics,
    private readonly em: EntityManager,
    private readonly jobs: JobRunner,
  ) {}

  onModuleInit(): void {
    this.metrics.useSources({
      exportsByStatus: () => this.activeExports(),
      queues: async () => [await this.jobs.snapshot()],
    });
  }

  private async activeExports(): Promise<Record<string, number>> {
    const em = this.em.fork();
    const counts: Record<string, number> = {};
    for (const status of GAUGED_STATUSES) counts[status] = await em.count(Export, { status });
    return counts;
  }
}
