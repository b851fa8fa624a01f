import {
  InvalidCredentialsError,
  ProviderLimitError,
  repeatConfig,
  type ConfigValue,
  type DestinationProvider,
  type KeyMapping,
} from '@conduit/destinations-core';
import type { SegmentRowStore } from '@conduit/segment-store';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../api-keys/api-key.service';
import { AuthorizationStatus } from '../authorizations/authorization.entity';
import { AuthorizationService } from '../authorizations/authorization.service';
import { Clock } from '../common/clock';
import { DomainException, ErrorCode, type FieldProblem } from '../common/domain.exception';
import { compactConfig, invalidInput } from '../common/input-problems';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { DestinationService } from '../destinations/destination.service';
import { JobRunner, type JobName } from '../jobs/job-runner';
import { ConduitMetrics } from '../metrics/conduit-metrics';
import type { Segment } from '../segments/segment.entity';
import { SEGMENT_ROW_STORE, SegmentService } from '../segments/segment.service';
import {
  ACTIVE_EXPORT_STATUSES,
  Export,
  ExportEvent,
  ExportEventType,
  ExportRepeat,
  ExportStatus,
} from './export.entity';

export const EXPORT_JOB: JobName = 'export.run';

export interface CreateExportInput {
  destinationId: string;
  /** Values for the destination's editable fields. */
  overrides?: Readonly<Record<string, unknown>>;
  /** Segment column → key type and encoding; defaults to the segment's key columns. */
  mapping?: readonly KeyMapping[];
  /** ON_REFRESH: run again after each refresh of the segment, until stopped. */
  repeat?: ExportRepeat;
  /** Count what would be sent, send nothing. */
  dryRun?: boolean;
}

/** At most this many columns may be mapped (a segment has at most 1,000 columns). */
export const MAX_MAPPED_COLUMNS = 50;

/**
 * Exports as their requesting company sees them: asked for, listed, followed, cancelled, retried.
 * Everything is checked before anything is queued, so a queued export fails only on what could not be
 * known then (the provider's answers, the data itself).
 */
@Injectable()
export class ExportService {
  private readonly logger = new Logger(ExportService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    private readonly segments: SegmentService,
    private readonly destinations: DestinationService,
    private readonly authorizations: AuthorizationService,
    @Inject(SEGMENT_ROW_STORE) private readonly store: SegmentRowStore,
    private readonly metrics: ConduitMetrics,
  ) {}

  async create(
    principal: Principal,
    collaborationId: string,
    segmentId: string,
    input: CreateExportInput,
  ): Promise<Export> {
    const segment = await this.segments.requireExportable(principal.companyId, collaborationId, segmentId);
    const overrides = input.overrides ?? {};
    const { access, provider, config } = await this.destinations.resolveForExport(
      principal.companyId,
      input.destinationId,
      overrides,
      { collaborationId },
    );
    const destination = access.destination;
    const authorization = destination.authorization;
    if (!authorization || authorization.status !== AuthorizationStatus.AUTHENTICATED) {
      throw new DomainException(
        ErrorCode.AUTHORIZATION_NOT_AUTHENTICATED,
        access.role === 'OWNER'
          ? `Authorization ${authorization?.id} of destination ${destination.id} is ${authorization?.status}; reconnect it with POST /authorizations/${authorization?.id}/reauthorize, then export again.`
          : `The account behind destination ${destination.id} is disconnected (${authorization?.status}); ask its owner to reconnect it.`,
      );
    }
    const datasetId = segment.datasetId as string;
    const columns = (await this.store.manifest(datasetId)).columns;
    const mapping = checkMapping(provider, input.mapping ?? segment.keyColumns, columns);
    if (!input.dryRun) await this.preflight(provider, config, destination.owner.id, authorization.id);
    const exported = new Export({
      collaboration: segment.collaboration,
      segment,
      destination,
      company: this.em.getReference(Company, principal.companyId),
      createdBy: principal.apiKeyId,
      provider: provider.id,
      datasetId,
      totalRows: segment.rowCount ?? 0,
      config,
      overrides: compactConfig(overrides),
      mapping,
    });
    exported.dryRun = input.dryRun ?? false;
    // A dry run answers once; repeating one would send nothing, over and over.
    exported.repeat = exported.dryRun ? ExportRepeat.NONE : (input.repeat ?? ExportRepeat.NONE);
    exported.createdAt = this.clock.now();
    this.em.persist(exported);
    this.record(
      exported,
      ExportEventType.QUEUED,
      `Queued: ${segment.rowCount ?? 0} rows of segment ${segment.id} to ${provider.displayName} destination ${destination.id}.`,
      {
        mapping,
        overrides: exported.overrides,
      },
    );
    await this.em.flush();
    this.metrics.exportReached(ExportStatus.QUEUED);
    await this.jobs.enqueue(EXPORT_JOB, exported.id, principal.companyId);
    return exported;
  }

  /** What only the provider can tell before anything is queued (e.g. TikTok's 400-audience limit). */
  private async preflight(
    provider: DestinationProvider,
    config: Record<string, ConfigValue>,
    ownerId: string,
    authorizationId: string,
  ): Promise<void> {
    if (!provider.preflight) return;
    const credentials = await this.authorizations.credentialsFor(ownerId, authorizationId);
    try {
      await provider.preflight({ config, credentials });
    } catch (error) {
      if (error instanceof ProviderLimitError)
        throw new DomainException(ErrorCode.EXPORT_PROVIDER_LIMIT, error.message);
      if (error instanceof InvalidCredentialsError) {
        await this.authorizations.markCredentialsRefused(authorizationId, error.message);
        throw new DomainException(
          ErrorCode.AUTHORIZATION_NOT_AUTHENTICATED,
          `${provider.displayName} refused the credentials of authorization ${authorizationId}; it must be reconnected (POST /authorizations/${authorizationId}/reauthorize).`,
        );
      }
      // Unavailable or throttled right now: the run asks again, with its retries.
    }
  }

  /** The exports of a segment asked for by my company, oldest first. */
  async listForSegment(
    companyId: string,
    collaborationId: string,
    segmentId: string,
    request: PageRequest,
  ): Promise<Page<Export>> {
    const segment = await this.segments.get(companyId, collaborationId, segmentId);
    return this.page({ segment: segment.id, company: companyId }, request);
  }

  /** Every export through a destination, for its owner's audit: who, when, what they set, how it went. */
  async listForDestination(
    companyId: string,
    destinationId: string,
    request: PageRequest,
  ): Promise<Page<Export>> {
    await this.destinations.requireOwner(companyId, destinationId, 'read its exports');
    return this.page({ destination: destinationId }, request);
  }

  async get(companyId: string, exportId: string): Promise<Export> {
    const found = await this.em.findOne(
      Export,
      { id: exportId, company: companyId },
      { populate: ['destination'] },
    );
    if (!found) {
      throw new DomainException(
        ErrorCode.EXPORT_NOT_FOUND,
        `Export ${exportId} does not exist or was not made by your company.`,
      );
    }
    return found;
  }

  async events(companyId: string, exportId: string, request: PageRequest): Promise<Page<ExportEvent>> {
    await this.get(companyId, exportId);
    const limit = pageLimit(request);
    const rows = await this.em.find(
      ExportEvent,
      { export: exportId, ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}) },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  /**
   * A queued export is cancelled at once; a running one stops at its next safe point (between two
   * steps the provider must not repeat), and its log says what was already sent.
   */
  async cancel(principal: Principal, exportId: string): Promise<Export> {
    const exported = await this.get(principal.companyId, exportId);
    const now = this.clock.now();
    if (exported.status === ExportStatus.QUEUED) {
      const cancelled = await this.em.nativeUpdate(
        Export,
        { id: exported.id, status: ExportStatus.QUEUED },
        { status: ExportStatus.CANCELLED, cancelRequestedAt: now, finishedAt: now },
      );
      if (cancelled === 1) {
        this.metrics.exportReached(ExportStatus.CANCELLED);
        this.record(
          exported,
          ExportEventType.CANCELLED,
          'Cancelled before it started: nothing was sent.',
          {},
        );
        await this.em.flush();
        return this.reload(exported);
      }
      await this.em.refresh(exported);
    }
    if (exported.status === ExportStatus.RUNNING) {
      if (!exported.cancelRequestedAt) {
        await this.em.nativeUpdate(
          Export,
          { id: exported.id, cancelRequestedAt: null },
          { cancelRequestedAt: now },
        );
        this.record(
          exported,
          ExportEventType.CANCEL_REQUESTED,
          'Cancel requested: the export stops at its next safe point.',
          {},
        );
        await this.em.flush();
      }
      return this.reload(exported);
    }
    throw new DomainException(
      ErrorCode.EXPORT_NOT_CANCELLABLE,
      exported.status === ExportStatus.PROCESSING
        ? `Export ${exported.id} already sent everything (${exported.counts.uploaded} identifiers); the provider is processing it. Remove the audience in the provider's tool if it must not be used.`
        : `Export ${exported.id} is ${exported.status}; only a QUEUED or RUNNING export can be cancelled.`,
    );
  }

  /** A FAILED export runs again from its checkpoint: nothing already sent is sent twice. */
  async retry(principal: Principal, exportId: string): Promise<Export> {
    const exported = await this.get(principal.companyId, exportId);
    if (exported.status !== ExportStatus.FAILED) {
      throw new DomainException(
        ErrorCode.EXPORT_NOT_RETRYABLE,
        `Export ${exported.id} is ${exported.status}; only a FAILED export can be retried.`,
      );
    }
    if (!(await this.store.exists(exported.datasetId))) {
      throw new DomainException(
        ErrorCode.EXPORT_NOT_RETRYABLE,
        `The rows export ${exported.id} was sending were deleted after segment ${exported.segment.id} expired; refresh the segment and export it again.`,
      );
    }
    const requeued = await this.em.nativeUpdate(
      Export,
      { id: exported.id, status: ExportStatus.FAILED },
      {
        status: ExportStatus.QUEUED,
        errorCode: null,
        errorMessage: null,
        finishedAt: null,
        heartbeatAt: null,
      },
    );
    if (requeued !== 1) return this.reload(exported);
    this.record(exported, ExportEventType.RETRIED, `Retried after: ${exported.errorMessage ?? 'a failure'}`, {
      previousError: exported.errorCode,
    });
    await this.em.flush();
    this.metrics.exportReached(ExportStatus.QUEUED);
    await this.jobs.enqueue(EXPORT_JOB, exported.id, principal.companyId);
    return this.reload(exported);
  }

  /** Ends the repeats of an export (the one asked for, or any of its repeats names it). */
  async stopRepeating(principal: Principal, exportId: string): Promise<Export> {
    const asked = await this.get(principal.companyId, exportId);
    const original = asked.repeatOf ? await this.get(principal.companyId, asked.repeatOf) : asked;
    if (original.repeat !== ExportRepeat.ON_REFRESH || original.repeatStoppedAt) {
      throw new DomainException(
        ErrorCode.EXPORT_NOT_REPEATING,
        `Export ${original.id} does not repeat${original.repeatStoppedAt ? ` any more (stopped at ${original.repeatStoppedAt.toISOString()})` : ''}; nothing to stop.`,
      );
    }
    original.repeatStoppedAt = this.clock.now();
    this.record(
      original,
      ExportEventType.REPEAT_STOPPED,
      'Repeats stopped: refreshes of the segment no longer export it.',
      {},
    );
    await this.em.flush();
    return asked;
  }

  /**
   * After a refresh made the segment READY again: each export asked to repeat runs again on the new
   * rows, with the same destination, overrides and mapping, its config as the provider says for a
   * repeat (TikTok: Create becomes Replace of the audience the first run created). A repeat that can
   * no longer run (share revoked, mapping gone) stops repeating and says why in the log.
   */
  async repeatAfterRefresh(segment: Segment): Promise<string[]> {
    const originals = await this.em.find(
      Export,
      { segment: segment.id, repeat: ExportRepeat.ON_REFRESH, repeatStoppedAt: null, repeatOf: null },
      { populate: ['destination'], orderBy: { id: 'asc' } },
    );
    const queued: string[] = [];
    for (const original of originals) {
      const running = await this.em.count(Export, {
        $or: [{ id: original.id }, { repeatOf: original.id }],
        status: { $in: [...ACTIVE_EXPORT_STATUSES] },
      });
      if (running > 0) {
        this.record(
          original,
          ExportEventType.REPEAT_SKIPPED,
          'Not repeated: its previous run is still going; the next refresh repeats it.',
          {},
        );
        continue;
      }
      try {
        queued.push(await this.repeatOnce(original, segment));
      } catch (error) {
        if (!(error instanceof DomainException)) throw error;
        original.repeatStoppedAt = this.clock.now();
        this.record(original, ExportEventType.REPEAT_STOPPED, `Repeats stopped: ${error.message}`, {
          code: error.code,
        });
      }
    }
    await this.em.flush();
    for (const id of queued) {
      this.metrics.exportReached(ExportStatus.QUEUED);
      await this.jobs.enqueue(EXPORT_JOB, id, segment.company.id);
    }
    if (queued.length > 0)
      this.logger.log(`Segment ${segment.id} refreshed: repeating exports ${queued.join(', ')}`);
    return queued;
  }

  private async repeatOnce(original: Export, segment: Segment): Promise<string> {
    const companyId = original.company.id;
    const { access, provider, config } = await this.destinations.resolveForExport(
      companyId,
      original.destination.id,
      original.overrides,
      { collaborationId: original.collaboration.id },
    );
    const datasetId = segment.datasetId as string;
    const mapping = checkMapping(provider, original.mapping, (await this.store.manifest(datasetId)).columns);
    const repeated = new Export({
      collaboration: original.collaboration,
      segment,
      destination: access.destination,
      company: original.company,
      createdBy: null,
      provider: provider.id,
      datasetId,
      totalRows: segment.rowCount ?? 0,
      config: repeatConfig(provider.fields, config),
      overrides: original.overrides,
      mapping,
    });
    repeated.repeatOf = original.id;
    repeated.createdAt = this.clock.now();
    this.em.persist(repeated);
    this.record(
      repeated,
      ExportEventType.QUEUED,
      `Queued: a repeat of ${original.id} after the refresh of segment ${segment.id} (${segment.rowCount ?? 0} rows).`,
      { repeatOf: original.id, config: repeated.config },
    );
    this.record(
      original,
      ExportEventType.REPEATED,
      `Repeated as ${repeated.id} after the refresh of the segment.`,
      { exportId: repeated.id },
    );
    return repeated.id;
  }

  private async page(where: Record<string, unknown>, request: PageRequest): Promise<Page<Export>> {
    const limit = pageLimit(request);
    const rows = await this.em.find(
      Export,
      { ...where, ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}) },
      { orderBy: { id: 'asc' }, limit: limit + 1, populate: ['destination'] },
    );
    return toPage(rows, limit);
  }

  private async reload(exported: Export): Promise<Export> {
    await this.em.refresh(exported);
    return exported;
  }

  private record(
    exported: Export,
    type: ExportEventType,
    message: string,
    data: Record<string, unknown>,
  ): void {
    this.em.persist(new ExportEvent(exported, type, message, data, this.clock.now()));
  }
}

/**
 * The mapping as the provider can use it: each entry a column of the segment's rows, a key type and an
 * encoding the provider takes (RAW for a key type it receives unhashed), no column twice, at least the
 * provider's minimum of keys.
 */
export function checkMapping(
  provider: Pick<DestinationProvider, 'displayName' | 'keys'>,
  mapping: readonly KeyMapping[],
  columns: readonly string[],
): KeyMapping[] {
  const problems: FieldProblem[] = [];
  if (mapping.length < provider.keys.minKeys) {
    problems.push({
      field: 'mapping',
      rule: 'minItems',
      message: `map at least ${provider.keys.minKeys} segment column to a key type (${provider.keys.types.join(', ')})`,
    });
  }
  if (mapping.length > MAX_MAPPED_COLUMNS) {
    problems.push({
      field: 'mapping',
      rule: 'maxItems',
      message: `map at most ${MAX_MAPPED_COLUMNS} columns`,
    });
  }
  const seen = new Set<string>();
  mapping.slice(0, MAX_MAPPED_COLUMNS).forEach((entry, index) => {
    const at = `mapping[${index}]`;
    if (!columns.includes(entry.column)) {
      problems.push({
        field: `${at}.column`,
        rule: 'column',
        message: `"${entry.column}" is not a column of the segment; its columns: ${columns.slice(0, 20).join(', ')}${columns.length > 20 ? ', …' : ''}`,
      });
    }
    if (seen.has(entry.column))
      problems.push({ field: `${at}.column`, rule: 'unique', message: `"${entry.column}" is mapped twice` });
    seen.add(entry.column);
    if (!provider.keys.types.includes(entry.keyType)) {
      problems.push({
        field: `${at}.keyType`,
        rule: 'isIn',
        message: `${provider.displayName} takes ${provider.keys.types.join(', ')}`,
      });
    }
    if (!provider.keys.encodings.includes(entry.encoding)) {
      problems.push({
        field: `${at}.encoding`,
        rule: 'isIn',
        message: `${provider.displayName} takes ${provider.keys.encodings.join(', ')}`,
      });
    } else if (entry.encoding === 'SHA256' && provider.keys.plainTypes?.includes(entry.keyType)) {
      // A digest cannot be turned back into the value the provider matches on.
      problems.push({
        field: `${at}.encoding`,
        rule: 'rawOnly',
        message: `${provider.displayName} takes ${entry.keyType} as raw values only (it never receives them hashed)`,
      });
    }
  });
  if (problems.length > 0) {
    throw invalidInput('The column mapping is invalid', problems);
  }
  return mapping.map(({ column, keyType, encoding }) => ({ column, keyType, encoding }));
}
