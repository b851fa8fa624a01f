import { validateEnv } from '@conduit/config';
import { databaseOptionsFor, DomainModule, logContext, serializeLoggedError } from '@conduit/domain';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { SchedulerEnv } from './config/scheduler.env';
import { domainSettingsFrom } from './config/domain-settings';
import { AuthorizationHealthJob } from './jobs/authorization-health.job';
import { HeartbeatJob } from './jobs/heartbeat.job';
import { ExportMaintenanceJob } from './jobs/export-maintenance.job';
import { SegmentMaintenanceJob } from './jobs/segment-maintenance.job';
import { MetricsServer } from './metrics/metrics.server';

export interface SchedulerModuleOptions {
  envFile?: boolean;
  logStream?: DestinationStream;
}

/** The scheduler: cron and interval jobs (and, later, export workers). No HTTP server. */
@Module({})
export class SchedulerModule {
  static async forRoot(options: SchedulerModuleOptions = {}): Promise<DynamicModule> {
    return {
      module: SchedulerModule,
      imports: [
        await ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: options.envFile === false,
          validate: (raw) => validateEnv(SchedulerEnv, raw),
        }),
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<SchedulerEnv, true>) => ({
            pinoHttp: [
              {
                level: config.get('LOG_LEVEL', { infer: true }),
                serializers: { err: serializeLoggedError },
                // Every line written while a job runs names its export or segment (see withLogContext).
                mixin: () => ({ ...logContext() }),
              },
              options.logStream ?? process.stdout,
            ],
          }),
        }),
        DomainModule.forRootAsync({
          inject: [ConfigService],
          useDatabaseOptions: (config: ConfigService<SchedulerEnv, true>) =>
            databaseOptionsFor({
              databaseUrl: config.get('DATABASE_URL', { infer: true }),
              dataDir: config.get('CONDUIT_DATA_DIR', { infer: true }),
            }),
          useSettings: domainSettingsFrom,
        }),
        ScheduleModule.forRoot(),
      ],
      providers: [
        HeartbeatJob,
        AuthorizationHealthJob,
        SegmentMaintenanceJob,
        ExportMaintenanceJob,
        MetricsServer,
      ],
    };
  }
}
