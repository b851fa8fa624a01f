// Public API of @conduit/domain. Apps import from here only (deep imports are refused by lint).
export { DomainModule, type DomainModuleOptions, type DomainSettings } from './domain.module';
export { DomainException, ErrorCode, type FieldProblem } from './common/domain.exception';
export { ID_PREFIXES, newId } from './common/ids';
export { UnitOfWork } from './common/unit-of-work';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page, type PageRequest } from './common/pagination';
export {
  createOrmOptions,
  databaseDialect,
  databaseOptionsFor,
  type DatabaseDialect,
  type DatabaseOptions,
} from './database/database.options';
export { migrateDatabase, pendingMigrations } from './database/migrate';
export { Company, COMPANY_NAME_MAX_LENGTH } from './companies/company.entity';
export { CompanyService } from './companies/company.service';
export { ApiKey, API_KEY_NAME_MAX_LENGTH } from './api-keys/api-key.entity';
export { ApiKeyService, type CreatedApiKey, type Principal } from './api-keys/api-key.service';
export { API_KEY_MARKER, looksLikeApiKey } from './api-keys/api-key.secret';
export {
  Collaboration,
  CollaborationMember,
  CollaborationRole,
  COLLABORATION_NAME_MAX_LENGTH,
} from './collaborations/collaboration.entity';
export { CollaborationService, type CreateCollaborationInput } from './collaborations/collaboration.service';
export { SchedulerInstance } from './scheduler/scheduler-instance.entity';
export { SchedulerInstanceService } from './scheduler/scheduler-instance.service';
export { Clock } from './common/clock';
export {
  Authorization,
  AuthorizationStatus,
  AUTHORIZATION_NAME_MAX_LENGTH,
  type AuthorizedAccount,
} from './authorizations/authorization.entity';
export {
  AuthorizationService,
  OAuthCallbackError,
  type AcceptedCallback,
  type AuthorizationListFilter,
  type HealthCheckOutcome,
  type OAuthFailureCode,
  type StartedAuthorization,
} from './authorizations/authorization.service';
export {
  CredentialCipher,
  generateEncryptionKeySpec,
  loadOrCreateKeyFile,
  parseEncryptionKeys,
  resolveEncryptionKeys,
  type ResolvedEncryptionKeys,
} from './crypto';
export {
  Destination,
  DestinationEvent,
  DestinationEventType,
  DestinationShare,
  DESTINATION_NAME_MAX_LENGTH,
} from './destinations/destination.entity';
export {
  DestinationService,
  type CreateDestinationInput,
  type DestinationAccess,
  type DestinationListFilter,
  type ResolvedDestinationConfig,
  type UpdateDestinationInput,
} from './destinations/destination.service';
export {
  DataSource,
  DataSourceKind,
  Segment,
  SegmentSourceType,
  SegmentStatus,
  SEGMENT_ERROR_MESSAGE_MAX_LENGTH,
  SEGMENT_NAME_MAX_LENGTH,
  boundedErrorMessage,
  type SegmentKeyColumn,
} from './segments/segment.entity';
export { DataSourceService, type CreateDataSourceInput } from './segments/data-source.service';
export {
  mask,
  SegmentService,
  type CreateSegmentInput,
  type MaintenanceReport,
} from './segments/segment.service';
export { SegmentMaterializer, flattenSqlRow } from './segments/segment-materializer';
export { DEFAULT_SEGMENT_SETTINGS, type SegmentSettings } from './segments/segment.settings';
export { checkReadOnlyQuery } from './segments/sql-source';
export { serializeLoggedError } from './database/log-safe-error';
export { QuietStartupLogger } from './common/quiet-startup-logger';
export { reportConnectionTrouble, type ConnectionEvents } from './common/connection-trouble';
export { companySqliteFolder } from './segments/sqlite-source';
export {
  BullMqJobRunner,
  defaultJobConcurrency,
  InProcessJobRunner,
  JobRunner,
  redisConnection,
  type JobName,
} from './jobs/job-runner';
export {
  Export,
  ExportEvent,
  ExportEventType,
  ExportRepeat,
  ExportStatus,
  type ExportTally,
} from './exports/export.entity';
export { ExportService, MAX_MAPPED_COLUMNS, type CreateExportInput } from './exports/export.service';
export { ExportRunner, type ExportMaintenanceReport } from './exports/export-runner';
export { ExportFailureCode } from './exports/export-failure';
export { DEFAULT_EXPORT_SETTINGS, type ExportSettings } from './exports/export.settings';
export { IdempotencyRecord, IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency/idempotency-record.entity';
export {
  IdempotencyService,
  IDEMPOTENCY_STALE_AFTER_MS,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyClaim,
  type IdempotentRequest,
} from './idempotency/idempotency.service';
export {
  ConduitMetrics,
  type ConduitMetricsOptions,
  type MetricsSources,
  type QueueSnapshot,
} from './metrics/conduit-metrics';
export { processMetrics } from './metrics/process-metrics';
export { logContext, withLogContext, type LogBindings } from './common/log-context';
