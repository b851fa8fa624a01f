import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KEY_ENCODINGS, KEY_TYPES } from '@conduit/destinations-core';
import { RowTooLargeError, type SegmentRow, type SegmentRowStore } from '@conduit/segment-store';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { CronExpressionParser } from 'cron-parser';
import type { Principal } from '../api-keys/api-key.service';
import { CollaborationService } from '../collaborations/collaboration.service';
import { Clock } from '../common/clock';
import { DomainException, ErrorCode, type FieldProblem } from '../common/domain.exception';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { ACTIVE_EXPORT_STATUSES, Export } from '../exports/export.entity';
import { JobRunner } from '../jobs/job-runner';
import { DataSourceService } from './data-source.service';
import {
  boundedErrorMessage,
  Segment,
  SegmentSourceType,
  SegmentStatus,
  type SegmentKeyColumn,
} from './segment.entity';
import { maskPreviewRow } from './preview-mask';
import { SegmentConfig } from './segment.settings';
import { checkReadOnlyQuery } from './sql-source';

export { mask } from './preview-mask';

export const SEGMENT_ROW_STORE = Symbol('SEGMENT_ROW_STORE');

export interface CreateSegmentInput {
  name: string;
  source: { type: 'sql'; dataSourceId: string; query: string } | { type: 'upload' };
  keyColumns: SegmentKeyColumn[];
  otherColumns?: string[] | null;
  flatten?: boolean;
  multiValueDelimiter?: string | null;
  refreshSchedule?: string | null;
}

/** What the maintenance tick did, for logs and specs. */
export interface MaintenanceReport {
  expired: string[];
  dataDeleted: string[];
  refreshed: string[];
  retried: string[];
  failed: string[];
  /** What crashed processes left on disk and was removed: row-store folders and staged uploads. */
  leftoversRemoved: string[];
}

/** Files a crashed process left behind are removed once untouched this long. */
const LEFTOVERS_AFTER_MS = 30 * 60 * 1000;

/**
 * Activation segments of a company inside a collaboration. Only the creating company sees them. The
 * status the API shows is computed from the clock too, so a missed scheduler tick never exposes an
 * expired segment as READY.
 */
@Injectable()
export class SegmentService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    private readonly dataSources: DataSourceService,
    private readonly collaborations: CollaborationService,
    @Inject(SEGMENT_ROW_STORE) private readonly store: SegmentRowStore,
    @Inject(SegmentConfig) private readonly config: SegmentConfig,
  ) {}

  async create(principal: Principal, collaborationId: string, input: CreateSegmentInput): Promise<Segment> {
    const membership = await this.collaborations.membership(principal.companyId, collaborationId);
    const problems = checkDefinition(input);
    const dataSource =
      input.source.type === 'sql'
        ? await this.dataSources.get(principal.companyId, input.source.dataSourceId)
        : null;
    if (problems.length > 0) {
      throw new DomainException(
        ErrorCode.VALIDATION_FAILED,
        `The segment is invalid: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}.`,
        problems,
      );
    }
    const segment = new Segment({
      collaboration: membership.collaboration,
      company: this.em.getReference(Company, principal.companyId),
      name: input.name.trim(),
      sourceType: input.source.type === 'sql' ? SegmentSourceType.SQL : SegmentSourceType.UPLOAD,
      keyColumns: input.keyColumns.map(({ column, keyType, encoding }) => ({ column, keyType, encoding })),
      flatten: input.flatten ?? false,
      createdBy: principal.apiKeyId,
    });
    segment.dataSource = dataSource;
    segment.query = input.source.type === 'sql' ? input.source.query.trim() : null;
    segment.otherColumns = input.otherColumns ?? null;
    segment.multiValueDelimiter = input.multiValueDelimiter ?? null;
    this.schedule(segment, input.refreshSchedule ?? null);
    if (segment.sourceType === SegmentSourceType.SQL) segment.runRequestedAt = this.clock.now();
    this.em.persist(segment);
    await this.em.flush();
    if (segment.sourceType === SegmentSourceType.SQL)
      await this.jobs.enqueue('segment.materialize', segment.id, segment.company.id);
    return segment;
  }

  async list(companyId: string, collaborationId: string, request: PageRequest): Promise<Page<Segment>> {
    await this.collaborations.membership(companyId, collaborationId);
    const limit = pageLimit(request);
    const rows = await this.em.find(
      Segment,
      {
        collaboration: collaborationId,
        company: companyId,
        ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}),
      },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  /** The segment, if my company created it in this collaboration; anything else is a 404. */
  async get(companyId: string, collaborationId: string, segmentId: string): Promise<Segment> {
    const segment = await this.em.findOne(
      Segment,
      { id: segmentId, collaboration: collaborationId, company: companyId },
      { populate: ['dataSource'] },
    );
    if (!segment) {
      throw new DomainException(
        ErrorCode.SEGMENT_NOT_FOUND,
        `Segment ${segmentId} does not exist in collaboration ${collaborationId} for your company.`,
      );
    }
    return segment;
  }

  /**
   * The status as of now: READY past its window reads EXPIRED even before the scheduler moves it. A
   * refresh of a READY segment leaves it READY (its committed rows stay exportable until the new run
   * commits, within their own window); `runOf` tells the refresh apart.
   */
  statusOf(segment: Segment): SegmentStatus {
    const committed =
      segment.status === SegmentStatus.READY || (segment.readyDuringRun && isRunInProgress(segment.status));
    if (!committed) return segment.status;
    return segment.expiresAt && segment.expiresAt <= this.clock.now()
      ? SegmentStatus.EXPIRED
      : SegmentStatus.READY;
  }

  /**
   * The run queued (PENDING) or running, whether the first one or a refresh; null when none is (an
   * upload segment waiting for its file has none either).
   */
  runOf(segment: Segment): SegmentRun | null {
    const running = segment.status === SegmentStatus.RUNNING;
    const queued =
      segment.status === SegmentStatus.PENDING &&
      (segment.sourceType === SegmentSourceType.SQL || segment.stagedUpload !== null);
    if (!running && !queued) return null;
    return {
      status: running ? SegmentStatus.RUNNING : SegmentStatus.PENDING,
      // Runs asked for before this was recorded: their last change is the closest known time.
      requestedAt: segment.runRequestedAt ?? segment.updatedAt,
    };
  }

  /**
   * Re-runs the source and starts a new READY window. A refresh while one is queued or running joins
   * it (no second run). An upload segment needs a new file instead (PUT …/upload).
   */
  async refresh(principal: Principal, collaborationId: string, segmentId: string): Promise<Segment> {
    const segment = await this.get(principal.companyId, collaborationId, segmentId);
    if (segment.sourceType === SegmentSourceType.UPLOAD) {
      throw new DomainException(
        ErrorCode.SEGMENT_REFRESH_NEEDS_UPLOAD,
        `Segment ${segment.id} comes from an upload: refresh it by uploading a new file with PUT /collaborations/${collaborationId}/segments/${segment.id}/upload.`,
      );
    }
    return this.requestRun(segment);
  }

  /** Stores an uploaded CSV (bounded in size) and materializes it: a first load or a refresh. */
  async upload(
    principal: Principal,
    collaborationId: string,
    segmentId: string,
    file: Readable,
  ): Promise<Segment> {
    const segment = await this.get(principal.companyId, collaborationId, segmentId);
    if (segment.sourceType !== SegmentSourceType.UPLOAD) {
      throw new DomainException(
        ErrorCode.SEGMENT_NOT_UPLOAD,
        `Segment ${segment.id} reads from a SQL data source; refresh it with POST …/refresh instead.`,
      );
    }
    const staging = this.stagingDir();
    mkdirSync(staging, { recursive: true });
    const path = join(staging, `${segment.id}-${Date.now()}.upload`);
    const max = this.config.settings.uploadMaxBytes;
    let received = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > max) done(new UploadTooLarge(max));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(file, bound, createWriteStream(path));
    } catch (error) {
      rmSync(path, { force: true });
      if (error instanceof UploadTooLarge) {
        throw new DomainException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `The upload is larger than ${max} bytes (SEGMENT_UPLOAD_MAX_MB); split it or compress it (gzip is accepted).`,
        );
      }
      throw error;
    }
    if (received === 0) {
      rmSync(path, { force: true });
      throw new DomainException(ErrorCode.VALIDATION_FAILED, 'The uploaded file is empty.', [
        { field: 'file', rule: 'notEmpty', message: 'must be a CSV file with a header row' },
      ]);
    }
    const previous = segment.stagedUpload;
    segment.stagedUpload = path;
    if (previous && previous !== path) rmSync(previous, { force: true });
    return this.requestRun(segment, { force: true });
  }

  /** Deletes the segment and its rows. */
  async remove(companyId: string, collaborationId: string, segmentId: string): Promise<void> {
    const segment = await this.get(companyId, collaborationId, segmentId);
    const dataset = segment.datasetId;
    const staged = segment.stagedUpload;
    await this.em.removeAndFlush(segment);
    if (dataset) await this.store.remove(dataset);
    if (staged) rmSync(staged, { force: true });
  }

  /**
   * The first rows, key values and identifier-like values of other columns (emails, phone-like digit
   * runs, ad ids, hashes) masked but for their last 4 characters (`maskPreviewRow`). Reading stops
   * (throwing the signal's reason) once `signal` aborts: nobody waits for rows a client that left
   * asked for.
   */
  async preview(
    companyId: string,
    collaborationId: string,
    segmentId: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ segment: Segment; rows: SegmentRow[] }> {
    const segment = await this.get(companyId, collaborationId, segmentId);
    if (!segment.datasetId) {
      throw new DomainException(
        ErrorCode.SEGMENT_NO_DATA,
        segment.dataDeletedAt
          ? `Segment ${segment.id} expired and its rows were deleted at ${segment.dataDeletedAt.toISOString()}; refresh it to see rows again.`
          : `Segment ${segment.id} has no rows yet (status ${this.statusOf(segment)}).`,
      );
    }
    const keys = new Set(segment.keyColumns.map((key) => key.column));
    const rows: SegmentRow[] = [];
    try {
      for await (const row of this.store.read(segment.datasetId, { signal })) {
        rows.push(maskPreviewRow(row, keys));
        if (rows.length >= limit) break;
      }
    } catch (error) {
      // A row past the store's limit (written before there was one): its segment needs a new run.
      if (error instanceof RowTooLargeError)
        throw new DomainException(ErrorCode.SEGMENT_NO_DATA, error.message);
      throw error;
    }
    return { segment, rows };
  }

  /** A segment an export may read now; anything else is refused with what to do about it. */
  async requireExportable(companyId: string, collaborationId: string, segmentId: string): Promise<Segment> {
    const segment = await this.get(companyId, collaborationId, segmentId);
    const status = this.statusOf(segment);
    if (status === SegmentStatus.EXPIRED) {
      throw new DomainException(
        ErrorCode.SEGMENT_EXPIRED,
        `Segment ${segment.id} expired at ${segment.expiresAt?.toISOString()} (segments stay READY for ` +
          `${Math.round(this.config.settings.readyWindowMs / 3_600_000)} hours); refresh it ` +
          (segment.sourceType === SegmentSourceType.UPLOAD ? '(upload a new file) ' : '(POST …/refresh) ') +
          'and export again once it is READY.',
      );
    }
    if (status !== SegmentStatus.READY || !segment.datasetId) {
      throw new DomainException(
        ErrorCode.SEGMENT_NOT_READY,
        `Segment ${segment.id} is ${status}${segment.errorMessage ? ` (${boundedErrorMessage(segment.errorMessage)})` : ''}; only a READY segment can be exported.`,
      );
    }
    return segment;
  }

  /** The scheduler's tick: expiry, data deletion, scheduled refreshes and recovery of dead runs. */
  async maintain(): Promise<MaintenanceReport> {
    const now = this.clock.now();
    const settings = this.config.settings;
    const report: MaintenanceReport = {
      expired: [],
      dataDeleted: [],
      refreshed: [],
      retried: [],
      failed: [],
      leftoversRemoved: [],
    };

    // Every change below is a claim: an update conditional on the state that was read, applied by
    // one process only. Several schedulers run this at once (replicas, or one whose tick outlived the
    // next); a read-then-flush let each of them expire, purge or retry the same segment, and let a
    // late flush overwrite what another process had just written (a refresh that had just committed
    // went back to EXPIRED, or lost its rows' reference). Candidates are read outside the identity
    // map so that no flush of this unit of work writes their stale state back.
    const candidates = { disableIdentityMap: true } as const;
    const expiring = await this.em.find(
      Segment,
      { status: SegmentStatus.READY, expiresAt: { $lte: now } },
      { ...candidates, fields: ['id'] },
    );
    for (const { id } of expiring) {
      const expired = await this.em.nativeUpdate(
        Segment,
        { id, status: SegmentStatus.READY, expiresAt: { $lte: now } },
        { status: SegmentStatus.EXPIRED, updatedAt: new Date() },
      );
      if (expired === 1) report.expired.push(id);
    }

    const stale = await this.em.find(
      Segment,
      {
        status: { $in: [SegmentStatus.EXPIRED, SegmentStatus.FAILED] },
        datasetId: { $ne: null },
        expiresAt: { $lte: new Date(now.getTime() - settings.retentionAfterExpiryMs) },
      },
      { ...candidates, fields: ['id', 'datasetId'] },
    );
    for (const segment of stale) {
      const datasetId = segment.datasetId as string;
      // Rows an export is still sending stay until it is done (the export removes them then).
      const readers = await this.em.count(Export, {
        datasetId,
        status: { $in: [...ACTIVE_EXPORT_STATUSES] },
      });
      // Removed before the claim, as before: a crash in between leaves the reference, and the next
      // round removes again (removing is idempotent); the other way round would orphan the files.
      if (readers === 0) await this.store.remove(datasetId);
      const deleted = await this.em.nativeUpdate(
        Segment,
        { id: segment.id, datasetId, status: { $in: [SegmentStatus.EXPIRED, SegmentStatus.FAILED] } },
        { datasetId: null, dataDeletedAt: now, updatedAt: new Date() },
      );
      if (deleted === 1) report.dataDeleted.push(segment.id);
    }

    const due = await this.em.find(Segment, { nextRefreshAt: { $lte: now } }, candidates);
    for (const candidate of due) {
      // Claimed by moving its next time on: one scheduler refreshes this occurrence.
      const claimed = await this.em.nativeUpdate(
        Segment,
        { id: candidate.id, nextRefreshAt: candidate.nextRefreshAt },
        { nextRefreshAt: this.nextRefreshAfterNow(candidate.refreshSchedule) },
      );
      if (claimed !== 1 || candidate.sourceType !== SegmentSourceType.SQL) continue;
      // The state as of the claim (a run may have ended meanwhile), in this unit of work.
      const segment = await this.em.findOne(Segment, { id: candidate.id }, { refresh: true });
      if (!segment) continue;
      await this.requestRun(segment);
      report.refreshed.push(segment.id);
    }

    const dead = await this.em.find(
      Segment,
      {
        status: SegmentStatus.RUNNING,
        runHeartbeatAt: { $lte: new Date(now.getTime() - settings.stuckAfterMs) },
      },
      candidates,
    );
    const retried: Segment[] = [];
    for (const segment of dead) {
      // The run as it was read: still RUNNING, same generation, its heartbeat not renewed since.
      const same = {
        id: segment.id,
        status: SegmentStatus.RUNNING,
        generation: segment.generation,
        runHeartbeatAt: segment.runHeartbeatAt,
      };
      if (segment.attempts >= 3) {
        const failed = await this.em.nativeUpdate(Segment, same, {
          status: SegmentStatus.FAILED,
          runRequestedAt: null,
          readyDuringRun: false,
          errorMessage: `The run stopped responding ${segment.attempts} times; check the source and refresh.`,
          updatedAt: new Date(),
        });
        if (failed === 1) report.failed.push(segment.id);
      } else {
        const requeued = await this.em.nativeUpdate(Segment, same, {
          status: SegmentStatus.PENDING,
          updatedAt: new Date(),
        });
        if (requeued === 1) {
          report.retried.push(segment.id);
          retried.push(segment);
        }
      }
    }
    // PENDING segments whose job may have been lost (a process restarted): queue them again.
    const waiting = await this.em.find(Segment, {
      status: SegmentStatus.PENDING,
      updatedAt: { $lte: new Date(now.getTime() - 60_000) },
      $or: [{ sourceType: SegmentSourceType.SQL }, { stagedUpload: { $ne: null } }],
    });
    for (const segment of [...retried, ...waiting]) {
      await this.jobs.enqueue('segment.materialize', segment.id, segment.company.id);
    }

    // What a crashed process left on disk: files untouched for half an hour (an upload from a slow
    // client pauses longer than a run's heartbeat may). File times come from the disk's clock, so the
    // cutoff is wall-clock time, not the domain clock.
    const untouchedSince = new Date(Date.now() - Math.max(settings.stuckAfterMs, LEFTOVERS_AFTER_MS));
    report.leftoversRemoved.push(
      ...(await this.store.sweep({ untouchedSince })),
      ...(await this.sweepStagedUploads(untouchedSince)),
    );
    return report;
  }

  /** Where uploaded CSVs wait for their run. */
  private stagingDir(): string {
    return join(this.config.settings.dataDir, 'uploads');
  }

  /** Staged upload files no segment refers to (an upload or a process that died mid-way). */
  private async sweepStagedUploads(untouchedSince: Date): Promise<string[]> {
    const staging = this.stagingDir();
    const names = await readdir(staging).catch(() => [] as string[]);
    const old: string[] = [];
    for (const name of names) {
      const info = await stat(join(staging, name)).catch(() => undefined);
      if (info?.isFile() && info.mtimeMs <= untouchedSince.getTime()) old.push(join(staging, name));
    }
    if (old.length === 0) return [];
    const referenced = await this.em.find(
      Segment,
      { stagedUpload: { $in: old } },
      { fields: ['stagedUpload'] },
    );
    const inUse = new Set(referenced.map((segment) => segment.stagedUpload));
    const removed: string[] = [];
    for (const path of old.filter((candidate) => !inUse.has(candidate))) {
      await rm(path, { force: true });
      removed.push(`uploads/${path.slice(staging.length + 1)}`);
    }
    return removed;
  }

  private async requestRun(segment: Segment, options: { force?: boolean } = {}): Promise<Segment> {
    if (isRunInProgress(segment.status) && !options.force) return segment;
    // Decided before the status changes: READY rows (even those of a refresh being superseded) stay so.
    segment.readyDuringRun = this.statusOf(segment) === SegmentStatus.READY;
    segment.runRequestedAt = this.clock.now();
    segment.status = SegmentStatus.PENDING;
    segment.generation += 1;
    segment.attempts = 0;
    segment.errorMessage = null;
    await this.em.flush();
    await this.jobs.enqueue('segment.materialize', segment.id, segment.company.id);
    return segment;
  }

  private schedule(segment: Segment, expression: string | null): void {
    segment.refreshSchedule = expression;
    segment.nextRefreshAt = this.nextRefreshAfterNow(expression);
  }

  /** The schedule's first time after now: however far the clock moved, one refresh, not one per missed slot. */
  private nextRefreshAfterNow(expression: string | null): Date | null {
    return expression
      ? CronExpressionParser.parse(expression, { currentDate: this.clock.now(), tz: 'UTC' }).next().toDate()
      : null;
  }
}

/** A segment's run in progress, as `runOf` reports it. */
export interface SegmentRun {
  status: SegmentStatus.PENDING | SegmentStatus.RUNNING;
  requestedAt: Date;
}

function isRunInProgress(status: SegmentStatus): boolean {
  return status === SegmentStatus.PENDING || status === SegmentStatus.RUNNING;
}

class UploadTooLarge extends Error {
  constructor(readonly max: number) {
    super(`upload larger than ${max} bytes`);
  }
}

function checkDefinition(input: CreateSegmentInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.keyColumns.length === 0) {
    problems.push({ field: 'keyColumns', rule: 'minItems', message: 'must name at least one key column' });
  }
  const seen = new Set<string>();
  input.keyColumns.forEach((key, index) => {
    if (seen.has(key.column)) {
      problems.push({
        field: `keyColumns[${index}].column`,
        rule: 'unique',
        message: `"${key.column}" is listed twice`,
      });
    }
    seen.add(key.column);
    if (!KEY_TYPES.includes(key.keyType)) {
      problems.push({
        field: `keyColumns[${index}].keyType`,
        rule: 'isIn',
        message: `must be one of ${KEY_TYPES.join(', ')}`,
      });
    }
    if (!KEY_ENCODINGS.includes(key.encoding)) {
      problems.push({
        field: `keyColumns[${index}].encoding`,
        rule: 'isIn',
        message: `must be one of ${KEY_ENCODINGS.join(', ')}`,
      });
    }
  });
  if (input.source.type === 'sql') {
    const problem = checkReadOnlyQuery(input.source.query);
    if (problem) problems.push({ field: 'source.query', rule: 'readOnly', message: problem });
  }
  if (input.refreshSchedule) {
    try {
      CronExpressionParser.parse(input.refreshSchedule, { tz: 'UTC' });
    } catch {
      problems.push({
        field: 'refreshSchedule',
        rule: 'cron',
        message: 'must be a cron expression such as "0 6 * * *" (every day at 06:00 UTC)',
      });
    }
    if (input.source.type === 'upload') {
      problems.push({
        field: 'refreshSchedule',
        rule: 'sqlOnly',
        message: 'only a SQL segment can refresh on a schedule',
      });
    }
  }
  if (
    input.multiValueDelimiter !== undefined &&
    input.multiValueDelimiter !== null &&
    input.source.type === 'sql'
  ) {
    problems.push({
      field: 'multiValueDelimiter',
      rule: 'uploadOnly',
      message: 'applies to CSV uploads only (SQL multi-values are arrays)',
    });
  }
  return problems;
}
