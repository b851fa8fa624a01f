import type { KeyEncoding, KeyType } from '@conduit/destinations-core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Collaboration } from '../collaborations/collaboration.entity';
import { ID_LENGTH, newId } from '../common/ids';
import { Company } from '../companies/company.entity';
import type { SegmentKeyQuality } from './key-quality';

export const SEGMENT_NAME_MAX_LENGTH = 100;
/**
 * Longest `errorMessage` stored or shown: enough for what went wrong and where, while a hostile file
 * cannot make every segment list megabytes long.
 */
export const SEGMENT_ERROR_MESSAGE_MAX_LENGTH = 2_000;

/** Control characters but `\t` and `\n`: PostgreSQL refuses NUL in text, and none of them reads well. */
const CONTROL_CHARACTERS = /(?![\t\n])\p{Cc}/gu;
/** Half of a surrogate pair: not valid Unicode, so not storable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A failure message any database stores and any client reads: control characters (but `\t`, `\n`)
 * removed, half surrogate pairs replaced by U+FFFD, and cut to `SEGMENT_ERROR_MESSAGE_MAX_LENGTH` with
 * an ellipsis. Messages often quote the source (a header, a cell), which may hold any bytes at all.
 */
export function boundedErrorMessage(message: string): string {
  const max = SEGMENT_ERROR_MESSAGE_MAX_LENGTH;
  const truncated = message.length > max;
  let end = truncated ? max - 1 : max;
  // A cut between the halves of a pair drops the pair rather than leave half of it.
  if (truncated && /[\uD800-\uDBFF]/.test(message.charAt(end - 1))) end -= 1;
  // Only the head that is kept gets cleaned: a 20 MB message costs no more than a short one.
  const kept = message.slice(0, end).replace(CONTROL_CHARACTERS, '').replace(LONE_SURROGATE, '\uFFFD');
  return truncated ? `${kept}…` : kept;
}

export enum DataSourceKind {
  POSTGRESQL = 'POSTGRESQL',
  SQLITE = 'SQLITE',
}

/**
 * A database a company's SQL segments read from. A PostgreSQL URL (with its password) is stored only
 * encrypted; a SQLite file must live under the data directory (the embedded demo).
 */
@Entity({ tableName: 'data_sources' })
export class DataSource {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('dsr');

  @ManyToOne(() => Company, { deleteRule: 'cascade', index: true })
  company: Company;

  @Property({ type: 'string', length: 100 })
  name: string;

  @Property({ type: 'string', length: 16 })
  kind: DataSourceKind;

  /** PostgreSQL: the encrypted connection URL. SQLite: the encrypted file path (relative to the data dir). */
  @Property({ type: 'text', hidden: true })
  encryptedLocation: string;

  /** What may be shown: host and database, or the file name; never a password. */
  @Property({ type: 'string', length: 200 })
  displayLocation: string;

  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  createdBy: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  constructor(input: {
    id?: string;
    company: Company;
    name: string;
    kind: DataSourceKind;
    encryptedLocation: string;
    displayLocation: string;
    createdBy: string | null;
  }) {
    if (input.id) this.id = input.id;
    this.company = input.company;
    this.name = input.name;
    this.kind = input.kind;
    this.encryptedLocation = input.encryptedLocation;
    this.displayLocation = input.displayLocation;
    this.createdBy = input.createdBy;
  }
}

export enum SegmentStatus {
  /** Waiting for its source to run. */
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  /** Materialized and exportable until `expiresAt`. */
  READY = 'READY',
  /** Older than its window: refresh it before exporting. */
  EXPIRED = 'EXPIRED',
  FAILED = 'FAILED',
}

export enum SegmentSourceType {
  SQL = 'sql',
  UPLOAD = 'upload',
}

/** A segment column that carries an activation key. */
export interface SegmentKeyColumn {
  column: string;
  keyType: KeyType;
  encoding: KeyEncoding;
}

/**
 * An activation segment: rows from a source (a SQL query or an uploaded CSV), materialized as
 * compressed chunk files, exportable only while READY (36 hours by default after each refresh).
 * Visible only to the company that created it, inside its collaboration.
 */
@Entity({ tableName: 'segments' })
@Index({ name: 'segments_status_expires_index', properties: ['status', 'expiresAt'] })
@Index({ name: 'segments_refresh_index', properties: ['nextRefreshAt'] })
export class Segment {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('seg');

  @ManyToOne(() => Collaboration, { deleteRule: 'cascade', index: true })
  collaboration: Collaboration;

  @ManyToOne(() => Company, { deleteRule: 'cascade', index: true })
  company: Company;

  @Property({ type: 'string', length: SEGMENT_NAME_MAX_LENGTH })
  name: string;

  @Property({ type: 'string', length: 16 })
  sourceType: SegmentSourceType;

  @ManyToOne(() => DataSource, { nullable: true, deleteRule: 'set null', index: true })
  dataSource: DataSource | null = null;

  /** The SQL source's query (read-only; run with a timeout and a row limit). */
  @Property({ type: 'text', nullable: true })
  query: string | null = null;

  @Property({ type: 'json' })
  keyColumns: SegmentKeyColumn[];

  /** Columns kept besides the keys; null keeps every column. */
  @Property({ type: 'json', nullable: true })
  otherColumns: string[] | null = null;

  /** Multi-value key cells become one row per value; off, such a cell fails the segment. */
  @Property({ type: 'boolean' })
  flatten: boolean;

  /** CSV: the separator inside a multi-value cell (e.g. `|`); SQL arrays need none. */
  @Property({ type: 'string', length: 8, nullable: true })
  multiValueDelimiter: string | null = null;

  @Property({ type: 'string', length: 16 })
  status: SegmentStatus = SegmentStatus.PENDING;

  @Property({ type: 'datetime', nullable: true })
  readyAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  rowCount: number | null = null;

  /** Non-empty values per key column. */
  @Property({ type: 'json', nullable: true })
  keyCounts: Record<string, number> | null = null;

  /**
   * Per key column of the committed run: values an export would send and reject (by reason, with
   * masked examples). Null for rows committed before it was measured.
   */
  @Property({ type: 'json', nullable: true })
  keyQuality: SegmentKeyQuality[] | null = null;

  /** Why the last run failed; set it through `boundedErrorMessage()` (it quotes untrusted input). */
  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  /** The dataset in the row store that holds the current rows; null when none (or deleted). */
  @Property({ type: 'string', length: 80, nullable: true })
  datasetId: string | null = null;

  /** Increments with each run: a run only publishes if it is still the latest. */
  @Property({ type: 'integer' })
  generation = 0;

  /** An upload waiting to be materialized (a file in the staging area). */
  @Property({ type: 'string', length: 200, nullable: true, hidden: true })
  stagedUpload: string | null = null;

  /** Set while a run is RUNNING and renewed as it makes progress: silent too long means it died. */
  @Property({ type: 'datetime', nullable: true })
  runHeartbeatAt: Date | null = null;

  @Property({ type: 'integer' })
  attempts = 0;

  /** When the run queued or running (PENDING, RUNNING) was asked for; null once it is over. */
  @Property({ type: 'datetime', nullable: true })
  runRequestedAt: Date | null = null;

  /**
   * The run queued or running refreshes a READY segment: its committed rows stay READY (and
   * exportable, until `expiresAt`) while it runs, and are replaced only when it commits. Set only as a
   * run is requested, cleared whenever one ends (committed, failed, or given up as dead).
   */
  // A database default too: segments stored before this column existed were not refreshing READY rows.
  @Property({ type: 'boolean', default: false })
  readyDuringRun = false;

  /** When expired rows were deleted (raw identifiers are kept no longer than needed). */
  @Property({ type: 'datetime', nullable: true })
  dataDeletedAt: Date | null = null;

  /** A cron expression (UTC): the scheduler refreshes the segment then. */
  @Property({ type: 'string', length: 100, nullable: true })
  refreshSchedule: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  nextRefreshAt: Date | null = null;

  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  createdBy: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(input: {
    collaboration: Collaboration;
    company: Company;
    name: string;
    sourceType: SegmentSourceType;
    keyColumns: SegmentKeyColumn[];
    flatten: boolean;
    createdBy: string | null;
  }) {
    this.collaboration = input.collaboration;
    this.company = input.company;
    this.name = input.name;
    this.sourceType = input.sourceType;
    this.keyColumns = input.keyColumns;
    this.flatten = input.flatten;
    this.createdBy = input.createdBy;
  }
}
