import {
  DestinationRegistry,
  isDestinationError,
  type ExportCheckpoint,
  type ExportCounts,
  type ExportMilestone,
  type ExportReporter,
  type FieldDefinition,
  type ProviderReference,
} from '@conduit/destinations-core';
import type { SegmentRowStore } from '@conduit/segment-store';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuthorizationService } from '../authorizations/authorization.service';
import { Clock } from '../common/clock';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { startHeartbeat } from '../common/heartbeat';
import { UnitOfWork } from '../common/unit-of-work';
import { withLogContext } from '../common/log-context';
import { isLostConnection } from '../common/lost-connection';
import { JobInterruptedError, JobRunner } from '../jobs/job-runner';
import { ConduitMetrics } from '../metrics/conduit-metrics';
import { Segment } from '../segments/segment.entity';
import { SEGMENT_ROW_STORE } from '../segments/segment.service';
import { describeFailure, ExportFailureCode, type ExportFailure } from './export-failure';
import {
  ACTIVE_EXPORT_STATUSES,
  Export,
  ExportEvent,
  ExportEventType,
  ExportStatus,
  type ExportTally,
} from './export.entity';
import { EXPORT_JOB } from './export.service';
import { ExportConfig } from './export.settings';

/** What one maintenance round did, by export id. */
export interface ExportMaintenanceReport {
  completed: string[];
  failed: string[];
  resumed: string[];
}

/** Why a run stopped before its end. */
type StopReason = 'cancelled' | 'leaseLost' | 'shutdown';

/** A released lease: a heartbeat this old is stale to every worker, so the next one resumes at once. */
const RELEASED = new Date(0);

/**
 * Runs exports (the `export.run` job) and follows them until the provider is done. The database is the
 * truth: a run claims its export, renews a heartbeat, saves the provider's checkpoints before each step
 * it must not repeat, and any worker resumes a run whose heartbeat stopped (its worker died).
 */
@Injectable()
export class ExportRunner implements OnModuleInit {
  private readonly logger = new Logger(ExportRunner.name);

  constructor(
    private readonly em: EntityManager,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    private readonly registry: DestinationRegistry,
    private readonly authorizations: AuthorizationService,
    @Inject(SEGMENT_ROW_STORE) private readonly store: SegmentRowStore,
    @Inject(ExportConfig) private readonly config: ExportConfig,
    private readonly metrics: ConduitMetrics,
  ) {}

  onModuleInit(): void {
    this.jobs.register(EXPORT_JOB, (id) => this.unitOfWork.run(() => this.run(id)));
  }

  async run(exportId: string): Promise<void> {
    if (this.jobs.shutdownSignal.aborted) throw new JobInterruptedError('the process is shutting down');
    const settings = this.config.settings;
    const now = this.clock.now();
    // Claim: a queued export, or a running one whose worker went silent: a takeover, the silent run's
    // lease recovered (a lease handed back at a shutdown, its heartbeat at the epoch, is not one).
    // Concurrent workers lose these updates.
    const claim = (from: { status: ExportStatus; heartbeatAt?: { $lt?: Date; $gt?: Date; $lte?: Date } }) =>
      this.em.nativeUpdate(
        Export,
        { id: exportId, ...from },
        { status: ExportStatus.RUNNING, heartbeatAt: now },
      );
    const epoch = new Date(0);
    const stale = new Date(now.getTime() - settings.stuckAfterMs);
    const started =
      (await claim({ status: ExportStatus.QUEUED })) === 1 ||
      (await claim({ status: ExportStatus.RUNNING, heartbeatAt: { $lte: epoch } })) === 1;
    const recovered =
      !started &&
      (await claim({ status: ExportStatus.RUNNING, heartbeatAt: { $lt: stale, $gt: epoch } })) === 1;
    if (!started && !recovered) return;
    if (recovered) this.metrics.leaseRecovered();
    this.metrics.exportReached(ExportStatus.RUNNING);
    const exported = await this.em.findOneOrFail(
      Export,
      { id: exportId },
      { populate: ['destination.authorization', 'destination.owner'], refresh: true },
    );
    if (exported.cancelRequestedAt) return this.finishCancelled(exported);
    const resumed = exported.attempts > 0;
    exported.attempts += 1;
    exported.startedAt ??= now;
    this.record(
      exported,
      resumed ? ExportEventType.RESUMED : ExportEventType.STARTED,
      resumed
        ? `Resumed (attempt ${exported.attempts}) from its last checkpoint: nothing already sent is sent again.`
        : `Started: reading ${exported.totalRows} rows.`,
    );
    await this.em.flush();

    const controller = new AbortController();
    const stop = (reason: StopReason) => controller.abort(reason);
    const onShutdown = () => stop('shutdown');
    this.jobs.shutdownSignal.addEventListener('abort', onShutdown, { once: true });
    const stopHeartbeat = startHeartbeat(
      settings.stuckAfterMs / 6,
      () => this.beat(exported.id, exported.attempts, stop),
      (error) =>
        this.logger.warn(
          { exportId: exported.id, err: error },
          `Export ${exported.id}: heartbeat not recorded`,
        ),
    );
    const reporter = new DurableReporter(
      this.em.fork(),
      this.clock,
      exported.id,
      settings.progressIntervalMs,
      stop,
      this.logger,
      exported.attempts,
    );
    try {
      const result = await this.send(exported, reporter, controller.signal);
      await reporter.settled();
      await this.finishSent(exported, result.counts, result.references);
    } catch (error) {
      await reporter.settled();
      const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
      if (reason === 'shutdown') return this.handBack(exported, stopHeartbeat);
      if (reason === 'leaseLost') {
        this.metrics.leaseLost();
        this.logger.warn(
          { exportId: exported.id },
          `Export ${exported.id}: another worker took it over; this run stops.`,
        );
        return;
      }
      if (reason !== 'cancelled' && isLostConnection(error))
        return this.letGo(exported, stopHeartbeat, error);
      await this.em.refresh(exported);
      if (reason === 'cancelled') return this.finishCancelled(exported);
      await this.finishFailed(exported, error);
    } finally {
      stopHeartbeat();
      this.jobs.shutdownSignal.removeEventListener('abort', onShutdown);
    }
  }

  /**
   * Shutdown stopped the run at a safe point, its checkpoints saved: the lease is released (no wait
   * for the heartbeat timeout) and the job handed back to the queue, for another worker to resume.
   */
  private async handBack(exported: Export, stopHeartbeat: () => void): Promise<never> {
    stopHeartbeat();
    const released = await this.em.nativeUpdate(
      Export,
      { id: exported.id, status: ExportStatus.RUNNING },
      { heartbeatAt: RELEASED },
    );
    if (released === 1) {
      this.record(
        exported,
        ExportEventType.PAUSED,
        'Paused: its worker is shutting down. What was sent is checkpointed; another worker resumes from there.',
      );
      await this.em.flush();
    }
    throw new JobInterruptedError(`export ${exported.id} paused at a checkpoint, its lease released`);
  }

  /**
   * The run lost its database connection (a restart, a failover, `pg_terminate_backend`; found by the
   * chaos suite, where it failed the export as an internal error): nothing is wrong with the export.
   * Its lease is released if the database answers again, so the next maintenance round resumes it from
   * its last checkpoint; if not, its silent heartbeat does the same after EXPORT_STUCK_AFTER_SECONDS.
   */
  private async letGo(exported: Export, stopHeartbeat: () => void, error: unknown): Promise<void> {
    stopHeartbeat();
    this.logger.warn(
      { exportId: exported.id, err: error },
      `Export ${exported.id}: the database connection dropped mid-run; it resumes from its last checkpoint`,
    );
    await this.em
      .nativeUpdate(
        Export,
        { id: exported.id, status: ExportStatus.RUNNING, attempts: exported.attempts },
        { heartbeatAt: RELEASED },
      )
      .catch(() => undefined);
  }

  /** Follows PROCESSING exports, and re-queues runs whose worker died or whose job was lost. */
  async maintain(): Promise<ExportMaintenanceReport> {
    const report: ExportMaintenanceReport = { completed: [], failed: [], resumed: [] };
    const now = this.clock.now();
    const due = await this.em.find(
      Export,
      { status: ExportStatus.PROCESSING, nextStatusCheckAt: { $lte: now } },
      {
        orderBy: { nextStatusCheckAt: 'asc' },
        limit: 50,
        populate: ['destination.authorization', 'destination.owner'],
      },
    );
    for (const exported of due) {
      // Claim the check: another scheduler running maintenance at the same time skips it. The claim
      // lasts as long as a silent worker is taken for dead (stuckAfterMs), not the longest wait between
      // checks: a scheduler killed mid-check (the chaos suite does it) would otherwise hold the export
      // in PROCESSING for 30 minutes.
      const claimed = await this.em.nativeUpdate(
        Export,
        { id: exported.id, status: ExportStatus.PROCESSING, nextStatusCheckAt: exported.nextStatusCheckAt },
        { nextStatusCheckAt: new Date(now.getTime() + this.config.settings.stuckAfterMs) },
      );
      if (claimed !== 1) continue;
      const outcome = await withLogContext({ exportId: exported.id }, () => this.checkProcessing(exported));
      if (outcome) report[outcome].push(exported.id);
    }
    const stale = new Date(now.getTime() - this.config.settings.stuckAfterMs);
    const lost = await this.em.find(
      Export,
      {
        $or: [
          { status: ExportStatus.RUNNING, heartbeatAt: { $lt: stale } },
          { status: ExportStatus.QUEUED, updatedAt: { $lt: stale } },
        ],
      },
      { limit: 100, fields: ['id', 'company'] },
    );
    for (const exported of lost) {
      await this.jobs.enqueue(EXPORT_JOB, exported.id, exported.company.id);
      report.resumed.push(exported.id);
    }
    return report;
  }

  private async send(exported: Export, reporter: ExportReporter, signal: AbortSignal) {
    const destination = exported.destination;
    const provider = this.registry.find(exported.provider);
    if (!provider) {
      throw new DomainException(
        ErrorCode.PROVIDER_NOT_CONFIGURED,
        `The ${exported.provider} provider is not configured on this server; ask its operator.`,
      );
    }
    if (!destination.authorization) {
      throw new DomainException(
        ErrorCode.DESTINATION_WITHOUT_AUTHORIZATION,
        `Destination ${destination.id} lost its authorization (it was deleted); its owner must link one, then retry.`,
      );
    }
    const credentials = await this.authorizations.credentialsFor(
      destination.owner.id,
      destination.authorization.id,
    );
    const store = this.store;
    return provider.export(
      {
        exportId: exported.id,
        rows: () => store.read(exported.datasetId, { signal }),
        rowBatches: () => store.readBatches(exported.datasetId, { signal }),
        rowsNdjson: () => store.readNdjson(exported.datasetId, { signal }),
        totalRows: exported.totalRows,
        mapping: exported.mapping,
        config: exported.config,
        credentials,
        checkpoint: exported.checkpoint,
        previousReferences: await this.previousReferences(exported, provider.fields),
        signal,
        dryRun: exported.dryRun,
      },
      reporter,
    );
  }

  /**
   * What the last export to the same target made (e.g. the audience an Append or a repeat updates):
   * through this destination, by this company, with the same config but for the fields a repeat
   * changes (TikTok's action). Another audience name is another target: the provider then looks it up.
   */
  private async previousReferences(
    exported: Export,
    fields: readonly FieldDefinition[],
  ): Promise<ProviderReference[]> {
    const candidates = await this.em.find(
      Export,
      {
        destination: exported.destination.id,
        company: exported.company.id,
        id: { $lt: exported.id },
        status: { $in: [ExportStatus.PROCESSING, ExportStatus.COMPLETED] },
        dryRun: false,
      },
      { orderBy: { id: 'desc' }, limit: 50 },
    );
    const varying = new Set(fields.filter((field) => field.onRepeat).map((field) => field.key));
    const sameTarget = (other: Export) =>
      [...new Set([...Object.keys(other.config), ...Object.keys(exported.config)])]
        .filter((key) => !varying.has(key))
        .every((key) => other.config[key] === exported.config[key]);
    return candidates.find(sameTarget)?.references ?? [];
  }

  private async beat(exportId: string, attempt: number, stop: (reason: StopReason) => void): Promise<void> {
    const em = this.em.fork();
    const renewed = await em.nativeUpdate(
      Export,
      // Not a released lease: a beat in flight when the run handed its export back must not renew it.
      // Only this attempt's: a run taken over (it looked dead: a clock jump, a paused VM) learns it
      // here and stops, instead of renewing the other run's lease and sending everything again.
      { id: exportId, status: ExportStatus.RUNNING, attempts: attempt, heartbeatAt: { $gt: RELEASED } },
      { heartbeatAt: this.clock.now() },
    );
    if (renewed !== 1) return stop('leaseLost');
    const current = await em.findOne(Export, { id: exportId }, { fields: ['cancelRequestedAt'] });
    if (current?.cancelRequestedAt) stop('cancelled');
  }

  private async finishSent(
    exported: Export,
    counts: ExportCounts,
    references: ProviderReference[],
  ): Promise<void> {
    if (exported.dryRun) return this.finishDryRun(exported, counts);
    const now = this.clock.now();
    const sent = await this.em.nativeUpdate(
      Export,
      { id: exported.id, status: ExportStatus.RUNNING },
      {
        status: ExportStatus.PROCESSING,
        counts: tallyOf(counts),
        references,
        sentAt: now,
        heartbeatAt: null,
        nextStatusCheckAt: now,
        statusChecks: 0,
      },
    );
    if (sent !== 1) return;
    this.metrics.exportReached(ExportStatus.PROCESSING);
    this.metrics.exportSent(exported.provider, counts.uploaded);
    await this.em.refresh(exported);
    const audience = references
      .map((reference) => `${reference.name ?? ''} (${reference.id})`.trim())
      .join(', ');
    this.record(
      exported,
      ExportEventType.SENT,
      `Sent ${counts.uploaded} identifiers from ${counts.read} rows to ${audience || 'the provider'}.`,
      { counts, references },
    );
    this.record(
      exported,
      ExportEventType.PROCESSING,
      'The provider is processing the audience; Conduit follows it until it is ready.',
    );
    await this.em.flush();
    await this.releaseDataset(exported);
  }

  /** A dry run ends once counted: COMPLETED, nothing sent, the log says what would have been. */
  private async finishDryRun(exported: Export, counts: ExportCounts): Promise<void> {
    const now = this.clock.now();
    const done = await this.em.nativeUpdate(
      Export,
      { id: exported.id, status: ExportStatus.RUNNING },
      { status: ExportStatus.COMPLETED, counts: tallyOf(counts), finishedAt: now, heartbeatAt: null },
    );
    if (done !== 1) return;
    this.metrics.exportReached(ExportStatus.COMPLETED);
    await this.em.refresh(exported);
    const files = counts.files === undefined ? '' : ` in ${counts.files} file(s), ${counts.bytes ?? 0} bytes`;
    this.record(
      exported,
      ExportEventType.COMPLETED,
      `Dry run: would send ${counts.uploaded} identifiers${files} from ${counts.read} rows; nothing was sent.`,
      { counts },
    );
    await this.em.flush();
    await this.releaseDataset(exported);
  }

  private async finishFailed(exported: Export, error: unknown): Promise<void> {
    const failure = describeFailure(error, {
      exportId: exported.id,
      providerName: this.registry.find(exported.provider)?.displayName ?? exported.provider,
      authorizationId: exported.destination.authorization?.id ?? null,
    });
    if (failure.code === ExportFailureCode.INTERNAL_ERROR)
      this.logger.error({ exportId: exported.id, err: error }, `Export ${exported.id} failed`);
    if (failure.code === ExportFailureCode.CREDENTIALS_REFUSED && exported.destination.authorization)
      await this.authorizations.markCredentialsRefused(
        exported.destination.authorization.id,
        failure.message,
      );
    await this.fail(exported, failure, ExportStatus.RUNNING);
  }

  private async fail(exported: Export, failure: ExportFailure, from: ExportStatus): Promise<boolean> {
    const now = this.clock.now();
    const failed = await this.em.nativeUpdate(
      Export,
      { id: exported.id, status: from },
      {
        status: ExportStatus.FAILED,
        errorCode: failure.code,
        errorMessage: failure.message,
        finishedAt: now,
        heartbeatAt: null,
        nextStatusCheckAt: null,
      },
    );
    if (failed !== 1) return false;
    this.metrics.exportReached(ExportStatus.FAILED);
    await this.em.refresh(exported);
    this.record(exported, ExportEventType.FAILED, failure.message, {
      code: failure.code,
      retryable: failure.retryable,
    });
    await this.em.flush();
    await this.releaseDataset(exported);
    return true;
  }

  private async finishCancelled(exported: Export): Promise<void> {
    const now = this.clock.now();
    const cancelled = await this.em.nativeUpdate(
      Export,
      { id: exported.id, status: ExportStatus.RUNNING },
      { status: ExportStatus.CANCELLED, finishedAt: now, heartbeatAt: null },
    );
    if (cancelled !== 1) return;
    this.metrics.exportReached(ExportStatus.CANCELLED);
    await this.em.refresh(exported);
    const sent = exported.counts.uploaded;
    this.record(
      exported,
      ExportEventType.CANCELLED,
      sent > 0
        ? `Cancelled after ${sent} identifiers were sent${exported.references.length ? ` to ${exported.references.map((reference) => reference.id).join(', ')}` : ''}; they stay with the provider.`
        : 'Cancelled: nothing had been applied to an audience.',
      { uploaded: sent },
    );
    await this.em.flush();
    await this.releaseDataset(exported);
  }

  /** Asks the provider how processing goes: ready → COMPLETED, failed or too long → FAILED, else later. */
  private async checkProcessing(exported: Export): Promise<keyof ExportMaintenanceReport | undefined> {
    const settings = this.config.settings;
    const now = this.clock.now();
    const provider = this.registry.find(exported.provider);
    const authorization = exported.destination.authorization;
    const deadline = (exported.sentAt ?? now).getTime() + settings.processingDeadlineMs;
    try {
      if (!provider || !authorization) throw new Error('the destination lost its provider or authorization');
      const credentials = await this.authorizations.credentialsFor(
        exported.destination.owner.id,
        authorization.id,
      );
      const status = await provider.getStatus({
        config: exported.config,
        credentials,
        references: exported.references,
      });
      if (status.state === 'READY') {
        const completed = await this.em.nativeUpdate(
          Export,
          { id: exported.id, status: ExportStatus.PROCESSING },
          {
            status: ExportStatus.COMPLETED,
            processingState: 'READY',
            audienceSize: status.audienceSize,
            finishedAt: now,
            nextStatusCheckAt: null,
          },
        );
        // A check that outlived its claim may race another; only the one that completed it says so.
        if (completed !== 1) return undefined;
        this.metrics.exportReached(ExportStatus.COMPLETED);
        this.record(
          exported,
          ExportEventType.COMPLETED,
          `Completed: ${provider.displayName} finished processing${status.audienceSize === null ? '' : `; the audience matches ${status.audienceSize} users`}.`,
          { audienceSize: status.audienceSize },
        );
        await this.em.flush();
        return 'completed';
      }
      if (status.state === 'FAILED') {
        const failed = await this.fail(
          exported,
          {
            code: ExportFailureCode.PROVIDER_PROCESSING_FAILED,
            message: `${provider.displayName} could not process the audience${status.message ? `: ${status.message.replace(/\.$/, '')}` : ''}.`,
            retryable: false,
          },
          ExportStatus.PROCESSING,
        );
        return failed ? 'failed' : undefined;
      }
      await this.em.nativeUpdate(
        Export,
        { id: exported.id },
        { processingState: status.state, audienceSize: status.audienceSize },
      );
    } catch (error) {
      if (!isDestinationError(error) && !(error instanceof DomainException))
        this.logger.warn(
          { exportId: exported.id, err: error },
          `Export ${exported.id}: processing status not read`,
        );
    }
    if (now.getTime() >= deadline) {
      const failed = await this.fail(
        exported,
        {
          code: ExportFailureCode.PROVIDER_PROCESSING_FAILED,
          message: `The provider has not finished processing after ${Math.round(settings.processingDeadlineMs / 3_600_000)} hours; check the audience in the provider's tool.`,
          retryable: false,
        },
        ExportStatus.PROCESSING,
      );
      return failed ? 'failed' : undefined;
    }
    const wait = Math.min(settings.statusCheckMaxMs, settings.statusCheckMinMs * 2 ** exported.statusChecks);
    await this.em.nativeUpdate(
      Export,
      { id: exported.id, status: ExportStatus.PROCESSING },
      { nextStatusCheckAt: new Date(now.getTime() + wait), statusChecks: exported.statusChecks + 1 },
    );
    return undefined;
  }

  /**
   * The rows of a finished export are deleted once nothing needs them: not the segment's current rows,
   * and no other active export reads them. (A refresh keeps rows an export is reading; this frees them.)
   */
  private async releaseDataset(exported: Export): Promise<void> {
    const datasetId = exported.datasetId;
    const current = await this.em.count(Segment, { datasetId });
    const readers = await this.em.count(Export, { datasetId, status: { $in: [...ACTIVE_EXPORT_STATUSES] } });
    if (current === 0 && readers === 0) await this.store.remove(datasetId).catch(() => undefined);
  }

  private record(
    exported: Export,
    type: ExportEventType,
    message: string,
    data: Record<string, unknown> = {},
  ): void {
    this.em.persist(new ExportEvent(exported, type, message, data, this.clock.now()));
  }
}

/**
 * The provider's reporter, backed by the database: checkpoints saved before the provider goes on,
 * counts at most every `progressIntervalMs`, milestones appended to the log in order. A checkpoint
 * refused because the run lost its claim stops the run.
 */
class DurableReporter implements ExportReporter {
  private lastProgressAt = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly exportId: string,
    private readonly progressIntervalMs: number,
    private readonly stop: (reason: StopReason) => void,
    private readonly logger: Logger,
    /** The run's attempt: a checkpoint saves only while no later attempt took the export over. */
    private readonly attempt: number,
  ) {}

  /** Saves the checkpoint; a cancel asked meanwhile stops the run here, a safe point by definition. */
  async checkpoint(checkpoint: ExportCheckpoint): Promise<void> {
    await this.settled();
    const saved = await this.em.nativeUpdate(
      Export,
      { id: this.exportId, status: ExportStatus.RUNNING, attempts: this.attempt },
      { checkpoint, heartbeatAt: this.clock.now() },
    );
    if (saved !== 1) {
      this.stop('leaseLost');
      throw new Error(`Export ${this.exportId}: the checkpoint was not saved (the run lost its claim).`);
    }
    const current = await this.em.findOne(
      Export,
      { id: this.exportId },
      { fields: ['cancelRequestedAt'], disableIdentityMap: true },
    );
    if (current?.cancelRequestedAt) {
      this.stop('cancelled');
      throw new Error(`Export ${this.exportId}: cancelled.`);
    }
  }

  progress(counts: ExportCounts): void {
    const now = this.clock.now().getTime();
    if (now - this.lastProgressAt < this.progressIntervalMs) return;
    this.lastProgressAt = now;
    this.enqueue(() =>
      this.em.nativeUpdate(
        Export,
        { id: this.exportId, status: ExportStatus.RUNNING },
        { counts: tallyOf(counts) },
      ),
    );
  }

  milestone(milestone: ExportMilestone): void {
    // The process log tells the same story as the export's own log (retries at warn), by export id.
    const fields = { exportId: this.exportId, milestone: milestone.type };
    if (milestone.type === 'RETRYING') this.logger.warn(fields, milestone.message);
    else this.logger.log(fields, milestone.message);
    this.enqueue(async () => {
      const exported = this.em.getReference(Export, this.exportId);
      const type =
        milestone.type in ExportEventType ? (milestone.type as ExportEventType) : ExportEventType.PROCESSING;
      await this.em.insert(
        ExportEvent,
        new ExportEvent(exported, type, milestone.message, { ...milestone.data }, this.clock.now()),
      );
    });
  }

  /** Resolves once every write queued so far is done (failures were logged, not thrown). */
  async settled(): Promise<void> {
    await this.chain;
  }

  private enqueue(write: () => Promise<unknown>): void {
    this.chain = this.chain.then(write).catch(() => undefined);
  }
}

function tallyOf(counts: ExportCounts): ExportTally {
  return {
    read: counts.read,
    valid: counts.valid,
    invalid: { ...counts.invalid } as Record<string, number>,
    duplicates: counts.duplicates,
    uploaded: counts.uploaded,
    ...(counts.files === undefined ? {} : { files: counts.files, bytes: counts.bytes ?? 0 }),
    ...(counts.byKeyType ? { byKeyType: structuredClone(counts.byKeyType) as ExportTally['byKeyType'] } : {}),
  };
}
