import { hostname } from 'node:os';
import { SchedulerInstanceService, UnitOfWork } from '@conduit/domain';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { SchedulerEnv } from '../config/scheduler.env';

/** Instances silent for this many heartbeats are considered gone and pruned. */
const STALE_AFTER_BEATS = 10;

/**
 * Registers this scheduler process and records a heartbeat on a configurable interval, each beat in
 * its own unit of work. Operators (and later the export runner) see which workers are alive.
 */
@Injectable()
export class HeartbeatJob implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly NAME = 'scheduler-heartbeat';
  private readonly logger = new Logger(HeartbeatJob.name);
  private instanceId?: string;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly instances: SchedulerInstanceService,
    private readonly registry: SchedulerRegistry,
    private readonly config: ConfigService<SchedulerEnv, true>,
  ) {}

  get id(): string | undefined {
    return this.instanceId;
  }

  async onApplicationBootstrap(): Promise<void> {
    const instance = await this.unitOfWork.run(() => this.instances.register(hostname(), process.pid));
    this.instanceId = instance.id;
    const intervalMs = this.config.get('SCHEDULER_HEARTBEAT_SECONDS', { infer: true }) * 1000;
    this.registry.addInterval(
      HeartbeatJob.NAME,
      setInterval(() => void this.beat(intervalMs), intervalMs),
    );
    this.logger.log(`Scheduler instance ${instance.id} registered; heartbeat every ${intervalMs / 1000}s`);
  }

  /** One beat; failures are logged and retried on the next tick (the database may be restarting). */
  async beat(intervalMs: number): Promise<void> {
    const instanceId = this.instanceId;
    if (!instanceId) return;
    try {
      await this.unitOfWork.run(async () => {
        await this.instances.beat(instanceId, hostname(), process.pid);
        await this.instances.prune(intervalMs * STALE_AFTER_BEATS);
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'Heartbeat failed; retrying on the next tick');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', HeartbeatJob.NAME)) {
      this.registry.deleteInterval(HeartbeatJob.NAME);
    }
    const instanceId = this.instanceId;
    if (instanceId) {
      this.instanceId = undefined;
      await this.unitOfWork
        .run(() => this.instances.deregister(instanceId))
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'Could not deregister; the row will be pruned'),
        );
    }
  }
}
