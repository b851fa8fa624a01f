import { SegmentService, UnitOfWork, type MaintenanceReport } from '@conduit/domain';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { SchedulerEnv } from '../config/scheduler.env';

/**
 * Keeps segments honest on a short interval: READY → EXPIRED at `expiresAt`, rows of expired segments
 * deleted after the retention period, scheduled (cron) refreshes started, and runs that died retried.
 * The API computes expiry from the clock as well, so a missed tick never exposes stale data.
 */
@Injectable()
export class SegmentMaintenanceJob implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly NAME = 'segment-maintenance';
  private readonly logger = new Logger(SegmentMaintenanceJob.name);
  private running?: Promise<MaintenanceReport>;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly segments: SegmentService,
    private readonly registry: SchedulerRegistry,
    private readonly config: ConfigService<SchedulerEnv, true>,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.config.get('SEGMENT_MAINTENANCE_SECONDS', { infer: true }) * 1000;
    this.registry.addInterval(
      SegmentMaintenanceJob.NAME,
      setInterval(() => void this.run().catch(() => undefined), intervalMs),
    );
  }

  /** One tick; a tick that finds the previous one still going joins it. */
  run(): Promise<MaintenanceReport> {
    this.running ??= this.unitOfWork
      .run(() => this.segments.maintain())
      .then((report) => {
        const changed = Object.entries(report).filter(([, ids]) => (ids as string[]).length > 0);
        if (changed.length > 0) {
          this.logger.log(
            `Segments: ${changed.map(([what, ids]) => `${what} ${(ids as string[]).join(', ')}`).join('; ')}`,
          );
        }
        return report;
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Segment maintenance failed; retrying on the next tick');
        throw error;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', SegmentMaintenanceJob.NAME)) {
      this.registry.deleteInterval(SegmentMaintenanceJob.NAME);
    }
    await this.running?.catch(() => undefined);
  }
}
