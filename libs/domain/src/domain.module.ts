import { join } from 'node:path';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { LocalSegmentRowStore } from '@conduit/segment-store';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DestinationRegistry } from '@conduit/destinations-core';
import { ApiKeyService } from './api-keys/api-key.service';
import { AuthorizationService, AuthorizationSettings } from './authorizations/authorization.service';
import { OAuthStateCodec } from './authorizations/oauth-state';
import { Clock } from './common/clock';
import { CredentialCipher, parseEncryptionKeys } from './crypto/credential-cipher';
import { DestinationService } from './destinations/destination.service';
import {
  BullMqJobRunner,
  defaultJobConcurrency,
  InProcessJobRunner,
  JobRunner,
  redisConnection,
} from './jobs/job-runner';
import { DataSourceService } from './segments/data-source.service';
import { ExportRunner } from './exports/export-runner';
import { ExportService } from './exports/export.service';
import { DEFAULT_EXPORT_SETTINGS, ExportConfig, type ExportSettings } from './exports/export.settings';
import { SegmentMaterializer } from './segments/segment-materializer';
import { IdempotencyService } from './idempotency/idempotency.service';
import { SEGMENT_ROW_STORE, SegmentService } from './segments/segment.service';
import { DEFAULT_SEGMENT_SETTINGS, SegmentConfig, type SegmentSettings } from './segments/segment.settings';
import { CollaborationService } from './collaborations/collaboration.service';
import { UnitOfWork } from './common/unit-of-work';
import { CompanyService } from './companies/company.service';
import { SchedulerInstanceService } from './scheduler/scheduler-instance.service';
import { createOrmOptions, type DatabaseOptions } from './database/database.options';
import { ConduitMetrics } from './metrics/conduit-metrics';
import { MetricsSourcesBinding } from './metrics/metrics-sources';

const SERVICES = [
  UnitOfWork,
  CompanyService,
  ApiKeyService,
  CollaborationService,
  SchedulerInstanceService,
  AuthorizationService,
  DestinationService,
  DataSourceService,
  SegmentService,
  SegmentMaterializer,
  IdempotencyService,
  ExportService,
  ExportRunner,
];

/** What the domain needs from the app besides the database. */
export interface DomainSettings {
  /** `CONDUIT_ENCRYPTION_KEYS`: `id:base64key` entries, the first one current. */
  encryptionKeys: string;
  /** The providers the app offers (configured ones and unavailable ones). */
  registry: DestinationRegistry;
  /** How long an OAuth authorize URL stays usable (default 10 minutes). */
  oauthStateTtlMs?: number;
  /** Segments: `dataDir` holds their rows and uploads; the rest has defaults (36 h window …). */
  segments: Pick<SegmentSettings, 'dataDir'> & Partial<SegmentSettings>;
  /** Exports: heartbeat, progress and processing-follow timings (defaults in DEFAULT_EXPORT_SETTINGS). */
  exports?: Partial<ExportSettings>;
  /**
   * The process's metrics (`/metrics`): the app creates them so that its provider registry reports to
   * the same instance (`CatalogOptions.observer`); a process without them gets its own.
   */
  metrics?: ConduitMetrics;
  /** Releases what the settings opened (e.g. the Redis connection of shared rate limits) at shutdown. */
  dispose?: () => Promise<void>;
  /** Jobs: BullMQ on this Redis when set (`work`: this process runs them); else in this process. */
  jobs?: {
    redisUrl?: string;
    work?: boolean;
    prefix?: string;
    /** Jobs at once in one process (default 2), and for one company (default: all slots but one). */
    concurrency?: number;
    perCompany?: number;
  };
}

const DOMAIN_SETTINGS = Symbol('DOMAIN_SETTINGS');

/** Calls the settings' `dispose` when the app shuts down, so nothing they opened keeps the process alive. */
@Injectable()
class SettingsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DOMAIN_SETTINGS) private readonly settings: DomainSettings) {}

  async onApplicationShutdown(): Promise<void> {
    await this.settings.dispose?.();
  }
}
const DEFAULT_STATE_TTL_MS = 10 * 60 * 1000;

export interface DomainModuleOptions {
  imports?: ModuleMetadata['imports'];
  // Nest's own factory signature: injected values arrive untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inject?: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useDatabaseOptions: (...args: any[]) => DatabaseOptions | Promise<DatabaseOptions>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useSettings: (...args: any[]) => DomainSettings | Promise<DomainSettings>;
  /** Bind a MikroORM request context to every HTTP request (the API); off for workers and commands. */
  registerRequestContext?: boolean;
}

/** The domain's services on top of MikroORM, for any app (API, scheduler, operator commands). */
@Module({})
export class DomainModule {
  static forRootAsync(options: DomainModuleOptions): DynamicModule {
    return {
      module: DomainModule,
      imports: [
        ...(options.imports ?? []),
        MikroOrmModule.forRootAsync({
          // Both dialects' drivers use knex's SqlEntityManager; naming one lets Nest register that class
          // as an injection token before the factory has chosen the real driver.
          driver: LibSqlDriver,
          imports: options.imports,
          inject: options.inject,
          useFactory: async (...args: unknown[]) => ({
            ...createOrmOptions(await options.useDatabaseOptions(...args)),
            registerRequestContext: options.registerRequestContext ?? false,
          }),
        }),
      ],
      providers: [
        ...SERVICES,
        Clock,
        { provide: DOMAIN_SETTINGS, inject: options.inject, useFactory: options.useSettings },
        SettingsLifecycle,
        {
          provide: ConduitMetrics,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings) => settings.metrics ?? new ConduitMetrics(),
        },
        MetricsSourcesBinding,
        {
          provide: DestinationRegistry,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings) => settings.registry,
        },
        {
          provide: CredentialCipher,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings) => CredentialCipher.fromSpec(settings.encryptionKeys),
        },
        {
          provide: OAuthStateCodec,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings) =>
            new OAuthStateCodec(parseEncryptionKeys(settings.encryptionKeys).keys),
        },
        {
          provide: SegmentConfig,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings): SegmentConfig => ({
            settings: { ...DEFAULT_SEGMENT_SETTINGS, ...settings.segments },
          }),
        },
        {
          provide: ExportConfig,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings): ExportConfig => ({
            settings: { ...DEFAULT_EXPORT_SETTINGS, ...settings.exports },
          }),
        },
        {
          provide: SEGMENT_ROW_STORE,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings) =>
            new LocalSegmentRowStore(join(settings.segments.dataDir, 'segments')),
        },
        {
          provide: JobRunner,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings): JobRunner => {
            const jobs = settings.jobs ?? {};
            const concurrency = defaultJobConcurrency(jobs.concurrency);
            if (jobs.perCompany) concurrency.perCompany = Math.min(jobs.perCompany, concurrency.total);
            return jobs.redisUrl
              ? new BullMqJobRunner(redisConnection(jobs.redisUrl), {
                  work: jobs.work ?? false,
                  prefix: jobs.prefix,
                  concurrency,
                })
              : new InProcessJobRunner(concurrency);
          },
        },
        {
          provide: AuthorizationSettings,
          inject: [DOMAIN_SETTINGS],
          useFactory: (settings: DomainSettings): AuthorizationSettings => ({
            stateTtlMs: settings.oauthStateTtlMs ?? DEFAULT_STATE_TTL_MS,
          }),
        },
      ],
      exports: [
        ...SERVICES,
        Clock,
        DestinationRegistry,
        CredentialCipher,
        JobRunner,
        SEGMENT_ROW_STORE,
        ConduitMetrics,
      ],
    };
  }
}
