import { createReadStream, rmSync } from 'node:fs';
import {
  listColumns,
  parseCsvRows,
  SegmentSourceError,
  type SegmentRow,
  type SegmentRowStore,
} from '@conduit/segment-store';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { startHeartbeat } from '../common/heartbeat';
import { UnitOfWork } from '../common/unit-of-work';
import { ACTIVE_EXPORT_STATUSES, Export } from '../exports/export.entity';
import { ExportService } from '../exports/export.service';
import { JobRunner } from '../jobs/job-runner';
import { ConduitMetrics } from '../metrics/conduit-metrics';
import { DataSourceService } from './data-source.service';
import { KeyQualityCounter } from './key-quality';
import { boundedErrorMessage, Segment, SegmentSourceType, SegmentStatus } from './segment.entity';
import { SEGMENT_ROW_STORE } from './segment.service';
import { SegmentConfig } from './segment.settings';

/**
 * Runs a segment's source and stores its rows as a new dataset. The segment becomes READY only once
 * the dataset is committed, and only if no newer run was requested meanwhile; a failure leaves it
 * FAILED with a message its owner can act on, never half-READY.
 */
@Injectable()
export class SegmentMaterializer implements OnModuleInit {
  private readonly logger = new Logger(SegmentMaterializer.name);

  constructor(
    private readonly em: EntityManager,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    private readonly dataSources: DataSourceService,
    private readonly exports: ExportService,
    @Inject(SEGMENT_ROW_STORE) private readonly store: SegmentRowStore,
    @Inject(SegmentConfig) private readonly config: SegmentConfig,
    private readonly metrics: ConduitMetrics,
  ) {}

  onModuleInit(): void {
    this.jobs.register('segment.materialize', (id) => this.unitOfWork.run(() => this.run(id)));
  }

  async run(segmentId: string): Promise<void> {
    // Claim: only a PENDING segment starts, and only once (concurrent workers lose this update).
    const claimed = await this.em.nativeUpdate(
      Segment,
      { id: segmentId, status: SegmentStatus.PENDING },
      { status: SegmentStatus.RUNNING, runHeartbeatAt: this.clock.now() },
    );
    if (claimed !== 1) return;
    const startedAt = performance.now();
    const measured = (outcome: 'ready' | 'failed' | 'superseded', rows = 0) =>
      this.metrics.segmentMaterialized(outcome, (performance.now() - startedAt) / 1000, rows);
    const segment = await this.em.findOneOrFail(
      Segment,
      { id: segmentId },
      { populate: ['dataSource'], refresh: true },
    );
    segment.attempts += 1;
    await this.em.flush();
    const generation = segment.generation;
    // A run is its generation and attempt: a run retried because it looked dead (a clock jump, a paused
    // VM) may still be alive, so it writes rows of its own and publishes only if no later attempt took
    // over; the two used to write one dataset and both publish (and repeat exports twice).
    const attempt = segment.attempts;
    const datasetId = `${segment.id}-g${generation}${attempt > 1 ? `-a${attempt}` : ''}`;
    const writer = await this.store.openWriter(datasetId);
    const keyColumns = segment.keyColumns.map((key) => key.column);
    const keyCounts = Object.fromEntries(keyColumns.map((column) => [column, 0]));
    // Judged as the rows stream by, as an export will judge them: no second pass over the data.
    const keyQuality = new KeyQualityCounter(segment.keyColumns);
    let rows = 0;
    // While it runs, the run renews its heartbeat: maintenance retries only runs silent for the stuck
    // period (a crashed worker), never a slow but live one.
    const stopHeartbeat = startHeartbeat(
      this.config.settings.stuckAfterMs / 6,
      () =>
        this.em
          .fork()
          .nativeUpdate(
            Segment,
            { id: segment.id, generation, attempts: attempt, status: SegmentStatus.RUNNING },
            { runHeartbeatAt: this.clock.now() },
          ),
      (error) => this.logger.warn({ err: error }, `Segment ${segment.id}: heartbeat not recorded`),
    );
    try {
      for await (const row of this.rowsOf(segment)) {
        for (const column of keyColumns) if (row[column]) keyCounts[column] += 1;
        keyQuality.count(row);
        await writer.write(row);
        rows += 1;
      }
      await writer.commit();
    } catch (error) {
      await writer.abort().catch(() => undefined);
      await this.recordFailure(segment, generation, attempt, error);
      measured('failed');
      if (!(error instanceof SegmentSourceError))
        this.logger.error({ err: error }, `Segment ${segment.id} failed`);
      return;
    } finally {
      stopHeartbeat();
    }
    const published = await this.finish(segment, generation, attempt, (current) => {
      const now = this.clock.now();
      const previous = current.datasetId;
      current.status = SegmentStatus.READY;
      current.readyAt = now;
      current.expiresAt = new Date(now.getTime() + this.config.settings.readyWindowMs);
      current.rowCount = rows;
      current.keyCounts = keyCounts;
      current.keyQuality = keyQuality.result();
      current.datasetId = datasetId;
      current.dataDeletedAt = null;
      current.errorMessage = null;
      return previous;
    });
    measured(published.applied ? 'ready' : 'superseded', rows);
    if (!published.applied) return this.store.remove(datasetId);
    if (published.result && published.result !== datasetId) await this.retire(published.result);
    // Exports asked to repeat on refresh run on the new rows; a problem there never fails the segment.
    const refreshed = await this.em.findOneOrFail(Segment, { id: segment.id }, { refresh: true });
    await this.exports
      .repeatAfterRefresh(refreshed)
      .catch((error: unknown) =>
        this.logger.error({ err: error }, `Segment ${segment.id}: exports not repeated`),
      );
  }

  /** The previous rows go, unless an export still reads them (it removes them when it is done). */
  private async retire(datasetId: string): Promise<void> {
    const readers = await this.em.count(Export, { datasetId, status: { $in: [...ACTIVE_EXPORT_STATUSES] } });
    if (readers === 0) await this.store.remove(datasetId);
  }

  /**
   * Makes the segment FAILED with what went wrong, cleaned and capped. Should that save still fail (the
   * database refusing something the message quotes), a generic message is saved instead: a failed run
   * must never leave its segment RUNNING, which every retry would then repeat.
   */
  private async recordFailure(
    segment: Segment,
    generation: number,
    attempt: number,
    error: unknown,
  ): Promise<void> {
    const staged = segment.sourceType === SegmentSourceType.UPLOAD ? segment.stagedUpload : null;
    try {
      await this.finish(segment, generation, attempt, (current) => {
        current.status = SegmentStatus.FAILED;
        current.errorMessage = boundedErrorMessage(describe(error, segment.id));
      });
    } catch (saveError) {
      this.logger.error({ err: saveError }, `Segment ${segment.id}: its failure could not be saved as is`);
      // A fresh context: the one whose flush failed still holds the refused change.
      const saved = await this.em.fork().nativeUpdate(
        Segment,
        { id: segment.id, generation, attempts: attempt },
        {
          status: SegmentStatus.FAILED,
          errorMessage: unsavedFailure(segment.id),
          stagedUpload: null,
          runHeartbeatAt: null,
          runRequestedAt: null,
          readyDuringRun: false,
        },
      );
      if (saved === 1 && staged) rmSync(staged, { force: true });
    }
  }

  /** Applies the outcome if this run is still the latest one requested; cleans up its staged upload. */
  private async finish<T>(
    segment: Segment,
    generation: number,
    attempt: number,
    apply: (current: Segment) => T,
  ): Promise<{ applied: boolean; result?: T }> {
    await this.em.refresh(segment);
    if (segment.generation !== generation || segment.attempts !== attempt) return { applied: false };
    const result = apply(segment);
    const staged = segment.sourceType === SegmentSourceType.UPLOAD ? segment.stagedUpload : null;
    segment.stagedUpload = null;
    segment.runHeartbeatAt = null;
    // The run is over: the segment shows its own outcome (READY with the new rows, or FAILED).
    segment.runRequestedAt = null;
    segment.readyDuringRun = false;
    await this.em.flush();
    if (staged) rmSync(staged, { force: true });
    return { applied: true, result };
  }

  private async *rowsOf(segment: Segment): AsyncIterable<SegmentRow> {
    const keyColumns = segment.keyColumns.map((key) => key.column);
    if (segment.sourceType === SegmentSourceType.UPLOAD) {
      if (!segment.stagedUpload) throw new SegmentSourceError('No file was uploaded for this segment yet.');
      yield* parseCsvRows(createReadStream(segment.stagedUpload), {
        keyColumns,
        flatten: segment.flatten,
        ...(segment.multiValueDelimiter ? { multiValueDelimiter: segment.multiValueDelimiter } : {}),
      });
      return;
    }
    if (!segment.dataSource || !segment.query) {
      throw new SegmentSourceError('The segment has no data source any more; recreate it.');
    }
    const source = this.dataSources.read(segment.dataSource, segment.query, {
      timeoutMs: this.config.settings.sqlTimeoutMs,
      rowLimit: this.config.settings.sqlRowLimit,
    });
    let line = 0;
    let checked = false;
    for await (const raw of source) {
      line += 1;
      if (!checked) {
        const missing = keyColumns.filter((column) => !(column in raw));
        if (missing.length > 0) {
          throw new SegmentSourceError(
            `The query result has no column ${missing.map((column) => `"${column}"`).join(', ')} ` +
              `(its columns: ${listColumns(Object.keys(raw))}).`,
          );
        }
        checked = true;
      }
      yield* flattenSqlRow(raw, keyColumns, segment.otherColumns, segment.flatten, line);
    }
  }
}

/**
 * One SQL result row as stored rows: values become strings; an array in a key column becomes one row
 * per value when `flatten` is on (several array columns: every combination), and fails otherwise.
 */
export function* flattenSqlRow(
  raw: Record<string, unknown>,
  keyColumns: readonly string[],
  otherColumns: readonly string[] | null,
  flatten: boolean,
  rowNumber: number,
): Iterable<SegmentRow> {
  const columns = [
    ...keyColumns,
    ...(otherColumns ?? Object.keys(raw).filter((column) => !keyColumns.includes(column))),
  ];
  let rows: SegmentRow[] = [{}];
  for (const column of columns) {
    const value = raw[column];
    if (Array.isArray(value) && keyColumns.includes(column)) {
      if (!flatten) {
        throw new SegmentSourceError(
          `Key column "${column}" holds several values (result row ${rowNumber}); turn on flatten to send one row per value.`,
        );
      }
      const values = value.map(text).filter((entry): entry is string => entry !== null);
      rows = rows.flatMap((row) =>
        values.length ? values.map((entry) => ({ ...row, [column]: entry })) : [{ ...row, [column]: null }],
      );
    } else {
      const single = Array.isArray(value) ? JSON.stringify(value) : text(value);
      for (const row of rows) row[column] = single;
    }
  }
  yield* rows;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** What a FAILED segment says when the message of its failure could not be saved. */
function unsavedFailure(segmentId: string): string {
  return `Materializing failed, and saving why failed too (segment ${segmentId}); refresh to retry. If it keeps failing, contact support.`;
}

function describe(error: unknown, segmentId: string): string {
  if (error instanceof SegmentSourceError) return error.message;
  return `Materializing failed unexpectedly (segment ${segmentId}); refresh to retry. If it keeps failing, contact support.`;
}
