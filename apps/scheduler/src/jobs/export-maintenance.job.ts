import { ExportRunner, UnitOfWork, type ExportMaintenanceReport } from '@conduit/domain';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { SchedulerEnv } from '../config/scheduler.env';

/**
 * Follows exports after they are sent (asks the provider until the audience is ready, or the deadline
 * passes) and resumes runs whose worker died or whose job was lost. Replicas share the work safely:
 * each check and each run is claimed in the database first.
 */
@Injectable()
export class ExportMaintenanceJob implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly NAME = 'export-maintenance';
  private readonly logger = new Logger(ExportMaintenanceJob.name);
  private running?: Promise<ExportMaintenanceReport>;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly exports: ExportRunner,
    private readonly registry: SchedulerRegistry,
    private readonly config: ConfigService<SchedulerEnv, true>,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.config.get('EXPORT_MAINTENANCE_SECONDS', { infer: true }) * 1000;
    this.registry.addInterval(
      ExportMaintenanceJob.NAME,
      setInterval(() => void this.run().catch(() => undefined), intervalMs),
    );
  }

  /** One tick; a tick that finds the previous one still going joins it. */
  run(): Promise<ExportMaintenanceReport> {
    this.running ??= this.unitOfWork
      .run(() => this.exports.maintain())
      .then((report) => {
        const changed = Object.entries(report).filter(([, ids]) => ids.length > 0);
        if (changed.length > 0)
          this.logger.log(`Exports: ${changed.map(([what, ids]) => `${what} ${ids.join(', ')}`).join('; ')}`);
        return report;
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Export maintenance failed; retrying on the next tick');
        throw error;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', ExportMaintenanceJob.NAME)) {
      this.registry.deleteInterval(ExportMaintenanceJob.NAME);
    }
    await this.running?.catch(() => undefined);
  }
}
