import { ConduitEnv, ToInt } from '@conduit/config';
import { IsInt, Max, Min } from 'class-validator';

/** The scheduler's environment: validated once at boot, every problem reported together. */
export class SchedulerEnv extends ConduitEnv {
  /** How often this process records that it is alive. */
  @ToInt()
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(3600)
  SCHEDULER_HEARTBEAT_SECONDS = 30;

  /** How often each AUTHENTICATED authorization is health-checked at its provider (and its accounts refreshed). */
  @ToInt()
  @IsInt({ message: 'must be a whole number of minutes' })
  @Min(1)
  @Max(7 * 24 * 60)
  AUTHORIZATION_HEALTH_CHECK_MINUTES = 60;

  /** How often the segment maintenance runs (expiry, data deletion, scheduled refreshes, recovery). */
  @ToInt()
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(3600)
  SEGMENT_MAINTENANCE_SECONDS = 30;

  /** How often sent exports are followed at the provider and dead export runs resumed. */
  @ToInt()
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(3600)
  EXPORT_MAINTENANCE_SECONDS = 15;
}
