import { ConduitEnv, ToInt } from '@conduit/config';
import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';

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

  /**
   * Port of this scheduler's `GET /metrics` (Prometheus) and `GET /health`; 0 turns them off. Two
   * schedulers on one machine need two ports (e.g. 9464 and 9465).
   */
  @ToInt()
  @IsInt({ message: 'must be a port number, or 0 to turn the metrics server off' })
  @Min(0)
  @Max(65535)
  METRICS_PORT = 9464;

  /** Interface the metrics server binds: 127.0.0.1 keeps it on the machine, 0.0.0.0 in a container. */
  @IsString()
  @IsNotEmpty()
  METRICS_HOST = '127.0.0.1';
}
