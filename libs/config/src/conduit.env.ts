import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsHostList, splitList, ToInt } from './env-decorators';
import { ProvidersEnv } from './providers.env';

/** Variables the API and the scheduler share: providers, segments, the job queue. */
export class ConduitEnv extends ProvidersEnv {
  /** Redis for the job queue at scale (BullMQ); unset means jobs run in the process that asks for them. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a Redis URL such as redis://127.0.0.1:6379' })
  REDIS_URL?: string;

  /**
   * Names this deployment's queues in Redis: two deployments sharing one Redis need different
   * prefixes, or each runs the other's jobs.
   */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'must be 1 to 40 letters, digits, "_" or "-"' })
  CONDUIT_QUEUE_PREFIX = 'conduit';

  /**
   * An export run whose heartbeat is silent this long is taken for dead (its worker killed) and resumed
   * from its checkpoint by another worker. Runs beat six times per period.
   */
  @ToInt()
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(3)
  @Max(3600)
  EXPORT_STUCK_AFTER_SECONDS = 90;

  /** An export still processing at the provider this long after it was sent FAILS saying so (TikTok: 48 h). */
  @ToInt()
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(1)
  @Max(720)
  EXPORT_PROCESSING_DEADLINE_HOURS = 48;

  /** How long a segment stays READY after it is materialized (the seed: 36 hours). */
  @ToInt()
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(1)
  @Max(720)
  SEGMENT_READY_HOURS = 36;

  /** How long an expired segment's rows are kept before they are deleted (personal data). */
  @ToInt()
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(0)
  @Max(720)
  SEGMENT_DATA_RETENTION_HOURS = 24;

  /** A SQL segment's statement timeout. */
  @ToInt()
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(86_400)
  SEGMENT_SQL_TIMEOUT_SECONDS = 600;

  /** Most rows a SQL segment may return. */
  @ToInt()
  @IsInt({ message: 'must be a whole number of rows' })
  @Min(1)
  SEGMENT_SQL_ROW_LIMIT = 50_000_000;

  /** Largest CSV upload, in MB as sent (gzip is accepted). */
  @ToInt()
  @IsInt({ message: 'must be a whole number of MB' })
  @Min(1)
  @Max(102_400)
  SEGMENT_UPLOAD_MAX_MB = 1024;

  /**
   * Internal hosts data sources may reach: host names, IP addresses or CIDR ranges. Public addresses
   * are always reachable; loopback, private and link-local ones only when listed here.
   */
  @IsHostList()
  DATA_SOURCE_ALLOWED_HOSTS = '';

  /** Jobs (segment materializations, exports) one process runs at once. */
  @ToInt()
  @IsInt({ message: 'must be a whole number of jobs' })
  @Min(1)
  @Max(64)
  JOB_CONCURRENCY = 2;

  /**
   * Jobs one company may run at once, across all processes (unset: all slots but one, so another
   * company's job never waits behind one tenant's slow ones).
   */
  @IsOptional()
  @ToInt()
  @IsInt({ message: 'must be a whole number of jobs' })
  @Min(1)
  @Max(64)
  JOB_CONCURRENCY_PER_COMPANY?: number;

  /**
   * On SIGTERM, how long the process may take to stop: the API finishes the requests in flight, the
   * scheduler's running exports checkpoint and hand their jobs back. Keep it under the orchestrator's
   * own limit (Kubernetes' terminationGracePeriodSeconds, 30 s by default; compose's stop_grace_period).
   */
  @ToInt()
  @IsInt({ message: 'must be a whole number of seconds from 1 to 3600' })
  @Min(1, { message: 'must be a whole number of seconds from 1 to 3600' })
  @Max(3600, { message: 'must be a whole number of seconds from 1 to 3600' })
  SHUTDOWN_GRACE_SECONDS = 25;
}

/** The segment settings the domain takes, from a validated environment. */
export function segmentSettingsOf(
  env: Pick<
    ConduitEnv,
    | 'CONDUIT_DATA_DIR'
    | 'SEGMENT_READY_HOURS'
    | 'SEGMENT_DATA_RETENTION_HOURS'
    | 'SEGMENT_SQL_TIMEOUT_SECONDS'
    | 'SEGMENT_SQL_ROW_LIMIT'
    | 'SEGMENT_UPLOAD_MAX_MB'
    | 'DATA_SOURCE_ALLOWED_HOSTS'
  >,
) {
  return {
    dataDir: env.CONDUIT_DATA_DIR,
    readyWindowMs: env.SEGMENT_READY_HOURS * 3_600_000,
    retentionAfterExpiryMs: env.SEGMENT_DATA_RETENTION_HOURS * 3_600_000,
    sqlTimeoutMs: env.SEGMENT_SQL_TIMEOUT_SECONDS * 1000,
    sqlRowLimit: env.SEGMENT_SQL_ROW_LIMIT,
    uploadMaxBytes: env.SEGMENT_UPLOAD_MAX_MB * 1024 * 1024,
    dataSourceAllowedHosts: splitList(env.DATA_SOURCE_ALLOWED_HOSTS),
  };
}
