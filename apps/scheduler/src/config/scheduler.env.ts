import { ProvidersEnv, ToInt } from '@conduit/config';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** The scheduler's environment: validated once at boot, every problem reported together. */
export class SchedulerEnv extends ProvidersEnv {
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

  /** Redis for the export queue at scale (BullMQ); unset means the in-process runner. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a Redis URL such as redis://127.0.0.1:6379' })
  REDIS_URL?: string;
}
