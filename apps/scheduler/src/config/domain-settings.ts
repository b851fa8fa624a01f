import { providersEnvFrom, segmentSettingsOf } from '@conduit/config';
import { registryFromEnv, sharedLimitsFromEnv } from '@conduit/destinations-catalog';
import {
  processMetrics,
  reportConnectionTrouble,
  resolveEncryptionKeys,
  type DomainSettings,
} from '@conduit/domain';
import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { SchedulerEnv } from './scheduler.env';

/** The domain's settings: credential keys, configured providers, segments, the job queue. */
export function domainSettingsFrom(config: ConfigService<SchedulerEnv, true>): DomainSettings {
  const get = <K extends keyof SchedulerEnv>(key: K): SchedulerEnv[K] => config.get(key, { infer: true });
  const metrics = processMetrics();
  const sharedLimits = sharedLimitsFromEnv({
    REDIS_URL: get('REDIS_URL'),
    CONDUIT_QUEUE_PREFIX: get('CONDUIT_QUEUE_PREFIX'),
  });
  if (sharedLimits) reportConnectionTrouble(sharedLimits.redis, 'Shared provider quotas (Redis)');
  return {
    metrics,
    dispose: async () => sharedLimits?.redis.disconnect(),
    encryptionKeys: resolveEncryptionKeys(
      {
        configured: get('CONDUIT_ENCRYPTION_KEYS'),
        databaseUrl: get('DATABASE_URL'),
        dataDir: get('CONDUIT_DATA_DIR'),
      },
      (notice) => new Logger('Encryption').warn(notice),
    ).spec,
    registry: registryFromEnv(providersEnvFrom(get), { sharedLimits, observer: metrics }),
    exports: {
      processingDeadlineMs: get('EXPORT_PROCESSING_DEADLINE_HOURS') * 3_600_000,
      stuckAfterMs: get('EXPORT_STUCK_AFTER_SECONDS') * 1000,
    },
    segments: segmentSettingsOf({
      CONDUIT_DATA_DIR: get('CONDUIT_DATA_DIR'),
      SEGMENT_READY_HOURS: get('SEGMENT_READY_HOURS'),
      SEGMENT_DATA_RETENTION_HOURS: get('SEGMENT_DATA_RETENTION_HOURS'),
      SEGMENT_SQL_TIMEOUT_SECONDS: get('SEGMENT_SQL_TIMEOUT_SECONDS'),
      SEGMENT_SQL_ROW_LIMIT: get('SEGMENT_SQL_ROW_LIMIT'),
      SEGMENT_UPLOAD_MAX_MB: get('SEGMENT_UPLOAD_MAX_MB'),
      DATA_SOURCE_ALLOWED_HOSTS: get('DATA_SOURCE_ALLOWED_HOSTS'),
    }),
    // Schedulers run the jobs (BullMQ on Redis when set, else in this process).
    jobs: {
      redisUrl: get('REDIS_URL'),
      prefix: get('CONDUIT_QUEUE_PREFIX'),
      work: true,
      concurrency: get('JOB_CONCURRENCY'),
      perCompany: get('JOB_CONCURRENCY_PER_COMPANY'),
    },
  };
}
