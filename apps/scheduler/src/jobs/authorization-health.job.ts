import { AuthorizationService, UnitOfWork, type HealthCheckOutcome } from '@conduit/domain';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { SchedulerEnv } from '../config/scheduler.env';

/** Authorizations checked per batch, each batch in its own unit of work. */
const BATCH_SIZE = 50;
/** The job wakes this often and checks whatever has become due. */
const TICK_MS = 60_000;

/**
 * Keeps authorization statuses true: every AUTHENTICATED authorization is checked with its provider's
 * health call once per AUTHORIZATION_HEALTH_CHECK_MINUTES. Refused credentials → REVOKED with the
 * reason; the external account list (TikTok advertisers) is refreshed on the way. Replicas share the
 * work safely: each authorization is claimed before it is checked.
 */
@Injectable()
export class AuthorizationHealthJob implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly NAME = 'authorization-health';
  private readonly logger = new Logger(AuthorizationHealthJob.name);
  private running?: Promise<HealthCheckOutcome[]>;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly authorizations: AuthorizationService,
    private readonly registry: SchedulerRegistry,
    private readonly config: ConfigService<SchedulerEnv, true>,
  ) {}

  private get intervalMs(): number {
    return this.config.get('AUTHORIZATION_HEALTH_CHECK_MINUTES', { infer: true }) * 60_000;
  }

  onApplicationBootstrap(): void {
    const tick = Math.min(TICK_MS, this.intervalMs);
    this.registry.addInterval(
      AuthorizationHealthJob.NAME,
      setInterval(() => void this.run().catch(() => undefined), tick),
    );
    this.logger.log(`Authorization health checks every ${this.intervalMs / 60_000} min`);
  }

  /** Checks everything due now; a tick that finds the previous run still going joins it. */
  run(): Promise<HealthCheckOutcome[]> {
    this.running ??= this.checkAllDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async checkAllDue(): Promise<HealthCheckOutcome[]> {
    const outcomes: HealthCheckOutcome[] = [];
    try {
      for (;;) {
        const batch = await this.unitOfWork.run(() =>
          this.authorizations.checkDue(this.intervalMs, BATCH_SIZE),
        );
        outcomes.push(...batch);
        for (const outcome of batch.filter((entry) => entry.error)) {
          this.logger.warn(
            `Authorization ${outcome.authorizationId} health check: ${outcome.status}: ${outcome.error}`,
          );
        }
        if (batch.length < BATCH_SIZE) return outcomes;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Authorization health checks failed; retrying on the next tick');
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', AuthorizationHealthJob.NAME)) {
      this.registry.deleteInterval(AuthorizationHealthJob.NAME);
    }
    await this.running?.catch(() => undefined);
  }
}
