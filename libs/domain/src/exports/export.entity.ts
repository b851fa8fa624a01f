import type {
  ConfigValue,
  ExportCheckpoint,
  KeyMapping,
  ProviderProcessingState,
  ProviderReference,
} from '@conduit/destinations-core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Collaboration } from '../collaborations/collaboration.entity';
import { ID_LENGTH, newId } from '../common/ids';
import { Company } from '../companies/company.entity';
import { Destination } from '../destinations/destination.entity';
import { Segment } from '../segments/segment.entity';

/**
 * QUEUED → RUNNING → PROCESSING (the provider builds the audience) → COMPLETED; FAILED and CANCELLED
 * end a run. A FAILED export may be retried: it resumes from its checkpoint.
 */
export enum ExportStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  PROCESSING = 'PROCESSING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/** NONE: runs once. ON_REFRESH: runs again after each refresh of its segment, until stopped. */
export enum ExportRepeat {
  NONE = 'NONE',
  ON_REFRESH = 'ON_REFRESH',
}

export const ACTIVE_EXPORT_STATUSES = [ExportStatus.QUEUED, ExportStatus.RUNNING] as const;

/** What an export counted, kept as it runs (at most every few seconds) and final once it is sent. */
export interface ExportTally {
  /** Segment rows read. */
  read: number;
  /** Values that passed normalization and validation (before dropping duplicates). */
  valid: number;
  /** Rejected values by reason (e.g. `MALFORMED`, `EMPTY`). */
  invalid: Record<string, number>;
  duplicates: number;
  /** Identifiers the provider accepted (a dry run: would send). */
  uploaded: number;
  files?: number;
  bytes?: number;
  /** Per key type, when the export maps several. */
  byKeyType?: Record<
    string,
    {
      valid: number;
      invalid: Record<string, number>;
      duplicates: number;
      invalidExamples?: Record<string, string[]>;
    }
  >;
}

/** One segment export to one destination, requested by one company in one collaboration. */
@Entity({ tableName: 'exports' })
@Index({ name: 'exports_segment_index', properties: ['segment', 'company'] })
@Index({ name: 'exports_status_index', properties: ['status'] })
export class Export {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('exp');

  @ManyToOne(() => Collaboration, { deleteRule: 'cascade' })
  collaboration: Collaboration;

  @ManyToOne(() => Segment, { deleteRule: 'cascade' })
  segment: Segment;

  @ManyToOne(() => Destination, { deleteRule: 'cascade', index: true })
  destination: Destination;

  /** The company that asked for the export (the destination's owner or a grantee). */
  @ManyToOne(() => Company, { deleteRule: 'cascade' })
  company: Company;

  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  createdBy: string | null;

  @Property({ type: 'string', length: 32 })
  provider: string;

  /** The segment's rows as they were when the export was asked for: a refresh does not move them. */
  @Property({ type: 'string', length: 120 })
  datasetId: string;

  @Property({ type: 'integer' })
  totalRows: number;

  /** The resolved config the export runs with (destination values, overrides, defaults). */
  @Property({ type: 'json' })
  config: Record<string, ConfigValue>;

  /** The values the exporting company set (editable fields only). */
  @Property({ type: 'json' })
  overrides: Record<string, ConfigValue>;

  @Property({ type: 'json' })
  mapping: KeyMapping[];

  @Property({ type: 'string', length: 16 })
  status: ExportStatus = ExportStatus.QUEUED;

  /** The pipeline without sending: counts what would be sent, uploads nothing, touches no audience. */
  @Property({ type: 'boolean' })
  dryRun = false;

  /** Set on the export a company asked for; its repeats point back at it with `repeatOf`. */
  @Property({ type: 'string', length: 16 })
  repeat: ExportRepeat = ExportRepeat.NONE;

  @Property({ type: 'datetime', nullable: true })
  repeatStoppedAt: Date | null = null;

  /** The export this one repeats (after a refresh of the segment). */
  @Property({ type: 'string', length: ID_LENGTH, nullable: true, index: true })
  repeatOf: string | null = null;

  @Property({ type: 'json' })
  counts: ExportTally = { read: 0, valid: 0, invalid: {}, duplicates: 0, uploaded: 0 };

  /** The provider's resume point: what it must not send again. */
  @Property({ type: 'json', nullable: true, hidden: true })
  checkpoint: ExportCheckpoint | null = null;

  /** What the export made or used on the provider's side (e.g. the TikTok audience). */
  @Property({ type: 'json' })
  references: ProviderReference[] = [];

  @Property({ type: 'string', length: 16, nullable: true })
  processingState: ProviderProcessingState | null = null;

  @Property({ type: 'bigint', nullable: true })
  audienceSize: number | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  /** Runs started (a resume after a crash or a retry counts as one more). */
  @Property({ type: 'integer' })
  attempts = 0;

  /** Renewed while a worker runs the export; a silent one means a dead worker, and the export resumes. */
  @Property({ type: 'datetime', nullable: true })
  heartbeatAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  cancelRequestedAt: Date | null = null;

  /** When the scheduler next asks the provider how processing goes. */
  @Property({ type: 'datetime', nullable: true })
  nextStatusCheckAt: Date | null = null;

  @Property({ type: 'integer' })
  statusChecks = 0;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  /** When everything was sent (PROCESSING began). */
  @Property({ type: 'datetime', nullable: true })
  sentAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(input: {
    collaboration: Collaboration;
    segment: Segment;
    destination: Destination;
    company: Company;
    createdBy: string | null;
    provider: string;
    datasetId: string;
    totalRows: number;
    config: Record<string, ConfigValue>;
    overrides: Record<string, ConfigValue>;
    mapping: KeyMapping[];
  }) {
    this.collaboration = input.collaboration;
    this.segment = input.segment;
    this.destination = input.destination;
    this.company = input.company;
    this.createdBy = input.createdBy;
    this.provider = input.provider;
    this.datasetId = input.datasetId;
    this.totalRows = input.totalRows;
    this.config = input.config;
    this.overrides = input.overrides;
    this.mapping = input.mapping;
  }
}

export enum ExportEventType {
  QUEUED = 'QUEUED',
  STARTED = 'STARTED',
  RESUMED = 'RESUMED',
  FILE_UPLOADED = 'FILE_UPLOADED',
  AUDIENCE_CREATED = 'AUDIENCE_CREATED',
  AUDIENCE_UPDATED = 'AUDIENCE_UPDATED',
  WAITING = 'WAITING',
  RETRYING = 'RETRYING',
  SENT = 'SENT',
  PROCESSING = 'PROCESSING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCEL_REQUESTED = 'CANCEL_REQUESTED',
  CANCELLED = 'CANCELLED',
  RETRIED = 'RETRIED',
  REPEATED = 'REPEATED',
  REPEAT_SKIPPED = 'REPEAT_SKIPPED',
  REPEAT_STOPPED = 'REPEAT_STOPPED',
  PAUSED = 'PAUSED',
}

/** One step of an export, in words a person reads. Append-only. */
@Entity({ tableName: 'export_events' })
export class ExportEvent {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('xev');

  @ManyToOne(() => Export, { deleteRule: 'cascade', index: true })
  export: Export;

  @Property({ type: 'string', length: 32 })
  type: ExportEventType;

  @Property({ type: 'text' })
  message: string;

  @Property({ type: 'json' })
  data: Record<string, unknown>;

  @Property({ type: 'datetime' })
  at: Date;

  constructor(
    exported: Export,
    type: ExportEventType,
    message: string,
    data: Record<string, unknown>,
    at: Date,
  ) {
    this.export = exported;
    this.type = type;
    this.message = message;
    this.data = data;
    this.at = at;
  }
}
