import {
  DEFAULT_RETRY_POLICY,
  InMemoryRateLimiter,
  PayloadValidationError,
  RetryableError,
  runChunkedExport,
  sharedIdentifierHasher,
  ExportCalls,
  describeDuration,
  formatCount,
  pauseUnlessCancelled,
  type ActivationKeySupport,
  type ChunkSender,
  type ConfigValues,
  type DestinationProvider,
  type ExportReporter,
  type ExportRequest,
  type ExportResult,
  type ExportStatus,
  type IdentifierHasher,
  type KeyType,
  type NormalizeOptions,
  type OAuthAuthorization,
  type ProviderCredentials,
  type ProviderLimits,
  type ProviderObserver,
  type ProviderReference,
  type RateLimits,
  type RequestRateLimiter,
  type RetryPolicy,
} from '@conduit/destinations-core';
import {
  GraphCode,
  GraphSubcode,
  MAX_ROWS_PER_REQUEST,
  type WireUsersAnswer,
} from '@conduit/destinations-meta-wire';
import { META_DEFAULT_GRAPH_VERSION, META_GRAPH_BASE_URL, metaDialogUrl } from './api-version';
import { META_AUDIENCE_REFERENCE, MetaAudiences } from './meta-audiences';
import { MetaBatchBuilder, type MetaBatch } from './meta-batch';
import {
  freshState,
  recordSent,
  replaceWindowPassed,
  restoreState,
  toCheckpoint,
  type Edge,
  type MetaExportState,
} from './meta-export-state';
import { metaAuthorization } from './meta.authorization';
import { MetaClient } from './meta.client';
import { accessTokenOf, checkMapping, readConfig, type MetaConfig } from './meta.config';
import { isGraphError } from './meta.errors';
import { META_FIELDS } from './meta.fields';
import { countInvalidEntries, schemaFor, toExportStatus } from './meta.mapper';

export const META_PROVIDER_ID = 'meta';
/**
 * What one app sends by default: Meta's custom_audience limit is per ad account and per hour (Limited
 * access tier: 5,000 calls + 40 per audience, reference §7), so about 80 calls a minute stays under it.
 */
export const META_DEFAULT_QUOTA: RateLimits = { perSecond: 5, perMinute: 80 };

export interface MetaProviderOptions {
  /** The Meta app (Meta for Developers dashboard): deployment settings, not per tenant. */
  appId: string;
  appSecret: string;
  /** `https://graph.facebook.com` (default), or the emulator's. */
  graphBaseUrl?: string;
  /** Facebook Login's dialog (default `https://www.facebook.com/<graphVersion>/dialog/oauth`). */
  dialogUrl?: string;
  /** The redirect URI registered with the app, when it is not the API's own callback route. */
  redirectUri?: string;
  /** The Graph API version called (default: the current one, `META_GRAPH_VERSION`). */
  graphVersion?: string;
  /** The app's request budget (default `META_DEFAULT_QUOTA`). */
  quota?: RateLimits;
  /** Shared across workers in production (Redis); defaults to `quota` kept in this process. */
  rateLimiter?: RequestRateLimiter;
  retryPolicy?: RetryPolicy;
  /** Told of every request (endpoint, code, latency): the app's metrics. */
  observer?: ProviderObserver;
  /** Normalizes and hashes identifiers (default: the process's pool of worker threads). */
  hasher?: IdentifierHasher;
  /** Rows per `/users` request (Meta: at most 10,000, the default). */
  batchRows?: number;
  /** Batches in hand at once, the one being filled included (default 2: one sending while the next fills). */
  concurrency?: number;
  timeoutMs?: number;
  /**
   * How long a batch may wait for another replace on the audience to finish (Meta takes one at a
   * time; a replace session lasts at most 90 minutes) before the export fails as retryable (default 95 min).
   */
  maxBusyWaitMs?: number;
  /** The longest pause between two tries while the audience is busy (default 5 min). */
  maxPollIntervalMs?: number;
}

const MAX_BUSY_WAIT_MS = 95 * 60 * 1000;
const MAX_POLL_INTERVAL_MS = 5 * 60 * 1000;
const FIRST_POLL_INTERVAL_MS = 5_000;

/**
 * Meta customer-list custom audiences (Marketing API): Facebook Login with long-lived tokens, and
 * Create / Append / Replace exports sent as JSON batches of ≤ 10,000 multi-key rows in one session
 * per export (`/users`, or `/usersreplace` for Replace), resumable from checkpoints without re-sending
 * accepted batches or duplicating audiences. Emails and phones are hashed; mobile advertiser ids are
 * sent unhashed, as Meta requires (a declaration: `keys.plainTypes`).
 */
export class MetaProvider implements DestinationProvider {
  readonly id = META_PROVIDER_ID;
  readonly displayName = 'Meta Ads';
  readonly documentationUrl =
    'https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences';
  readonly fields = META_FIELDS;
  readonly keys: ActivationKeySupport = {
    types: ['EMAIL', 'PHONE', 'MAID'],
    encodings: ['RAW', 'SHA256'],
    minKeys: 1,
    // Meta matches mobile advertiser ids as they are: hashing one makes it match nobody (reference §5).
    plainTypes: ['MAID'],
  };
  /** Meta's rules (reference §5): phones hashed as digits with the country code, no `+`. */
  static readonly NORMALIZE: NormalizeOptions = { phoneHashIncludesPlus: false, plainKeyTypes: ['MAID'] };
  readonly limits: ProviderLimits;
  readonly authorization: OAuthAuthorization;
  private readonly client: MetaClient;
  private readonly audiences: MetaAudiences;
  private readonly graphVersion: string;
  private readonly retryPolicy: RetryPolicy;
  private readonly hasher: IdentifierHasher;
  private readonly batchRows: number;
  private readonly concurrency: number;
  private readonly maxBusyWaitMs: number;
  private readonly maxPollIntervalMs: number;
  /** Graph calls under the retry policy, each retry told to the log of the export it serves. */
  private readonly calls: ExportCalls;

  constructor(options: MetaProviderOptions) {
    const quota = options.quota ?? META_DEFAULT_QUOTA;
    this.graphVersion = options.graphVersion ?? META_DEFAULT_GRAPH_VERSION;
    this.batchRows = Math.min(MAX_ROWS_PER_REQUEST, Math.max(1, options.batchRows ?? MAX_ROWS_PER_REQUEST));
    this.limits = {
      audiencesPerAccount: 500,
      // About 100 matched people before Meta delivers to an audience (reference §6, UNCONFIRMED).
      minAudienceSize: 100,
      // Meta takes JSON batches, not files: the largest body, Meta's UNCONFIRMED limit (Ayrshare: 10 MiB).
      maxFileBytes: 10 * 1024 * 1024,
      requestsPerSecond: quota.perSecond,
      requestsPerMinute: quota.perMinute ?? quota.perSecond * 60,
      // "Usually take up to 24 hours" (reference §4.1).
      processingTimeMs: 24 * 60 * 60 * 1000,
    };
    this.client = new MetaClient({
      baseUrl: options.graphBaseUrl ?? META_GRAPH_BASE_URL,
      graphVersion: this.graphVersion,
      appId: options.appId,
      appSecret: options.appSecret,
      rateLimiter: options.rateLimiter ?? new InMemoryRateLimiter(quota),
      maxPauseMs: (options.retryPolicy ?? DEFAULT_RETRY_POLICY).maxDelayMs,
      observer: options.observer,
      timeoutMs: options.timeoutMs,
    });
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.calls = new ExportCalls(this.retryPolicy);
    this.hasher = options.hasher ?? sharedIdentifierHasher();
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.maxBusyWaitMs = options.maxBusyWaitMs ?? MAX_BUSY_WAIT_MS;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? MAX_POLL_INTERVAL_MS;
    const call = <T>(operation: (attempt: number) => Promise<T>) => this.call(operation);
    this.audiences = new MetaAudiences(this.client, call, this.limits.audiencesPerAccount);
    this.authorization = metaAuthorization({
      client: this.client,
      call,
      retryPolicy: this.retryPolicy,
      appId: options.appId,
      dialogUrl: options.dialogUrl ?? metaDialogUrl(this.graphVersion),
      redirectUri: options.redirectUri,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Export
  // ---------------------------------------------------------------------------------------------

  async export(request: ExportRequest, reporter: ExportReporter): Promise<ExportResult> {
    return this.calls.during(reporter, () => this.runExport(request, reporter));
  }

  private async runExport(request: ExportRequest, reporter: ExportReporter): Promise<ExportResult> {
    const config = readConfig(request.config);
    const accessToken = accessTokenOf(request.credentials);
    checkMapping(request);
    const edge: Edge = config.action === 'Replace' ? 'usersreplace' : 'users';
    const state = restoreState(request.checkpoint, edge);
    const save = () => reporter.checkpoint(toCheckpoint(state));

    if (!request.dryRun) {
      // Before a single row is read: a dead token, or terms nobody accepted, fail fast and clearly.
      await this.audiences.ensureTermsAccepted(accessToken, config.adAccountId);
      state.audienceId ??= await this.audiences.resolve(request, config, accessToken, state, save, reporter);
      if (replaceWindowPassed(state)) {
        reporter.milestone?.({
          type: 'RETRYING',
          message:
            `The replace session ${state.session.id} started more than 90 minutes ago, so Meta has discarded it. ` +
            'Starting a new replace session from batch 1 and sending every row again.',
          data: { sessionId: state.session.id, startedAt: state.session.startedAt },
        });
        Object.assign(state, { ...freshState(edge), audienceId: state.audienceId });
        await save();
      }
    }
    const audienceId = state.audienceId ?? '';
    const sender = this.sender(request, config, accessToken, audienceId, state);
    const result = await runChunkedExport<MetaBatch, WireUsersAnswer | undefined>({
      request,
      normalize: MetaProvider.NORMALIZE,
      hasher: this.hasher,
      sender,
      destination: this.displayName,
      concurrency: this.concurrency,
      flagLast: true,
      resume: state.sent.chunks > 0 ? state.sent : undefined,
      reporter,
      onSent: async (chunk) => {
        recordSent(state, chunk);
        await save();
        reporter.milestone?.({
          type: 'FILE_UPLOADED',
          message:
            `Sent batch ${chunk.sequence}${chunk.last ? ' (the last)' : ''} of session ${state.session.id} to Meta audience ${audienceId} ` +
            `(${formatCount(chunk.values)} identifiers, ${formatCount(chunk.bytes)} bytes)`,
          data: {
            batch: chunk.sequence,
            sessionId: state.session.id,
            values: chunk.values,
            bytes: chunk.bytes,
          },
        });
      },
    });
    const counts = result.counts;
    const fallbackType = request.mapping[0]?.keyType as KeyType;
    countInvalidEntries(counts, state.invalid.count, state.invalid.samples, fallbackType);
    if (request.dryRun) return { counts, references: [] };
    reporter.milestone?.({
      type: 'AUDIENCE_UPDATED',
      message: `Meta audience ${audienceId} received ${formatCount(counts.uploaded)} identifiers (${config.action}, session ${state.session.id}, ${result.chunks} batches)`,
      data: { audienceId, action: config.action, sessionId: state.session.id, batches: result.chunks },
    });
    return {
      counts,
      references: [{ kind: META_AUDIENCE_REFERENCE, id: audienceId, name: config.audienceName }],
    };
  }

  /** How a batch is filled and sent: into the export's session, batch_seq = the chunk's sequence. */
  private sender(
    request: ExportRequest,
    config: MetaConfig,
    accessToken: string,
    audienceId: string,
    state: MetaExportState,
  ): ChunkSender<MetaBatch, WireUsersAnswer | undefined> {
    const types = [...new Set(request.mapping.map((entry) => entry.keyType))];
    const plainTypes = this.keys.plainTypes ?? [];
    const plain = request.mapping.map((entry) => plainTypes.includes(entry.keyType));
    const schema = schemaFor(types);
    // A replace session opens with batch 1 (a first batch of another number is refused, 1870147):
    // the others wait for it, however many batches travel at once. A resumed session is open already.
    let opened: Promise<unknown> = Promise.resolve();
    return {
      open: () => new MetaBatchBuilder(this.batchRows, plain, types.length),
      bytesOf: (batch) => batch.data.length,
      send: async (batch, { sequence, last }) => {
        if (state.session.edge === 'usersreplace' && sequence === 1)
          state.session.startedAt ??= new Date().toISOString();
        const session = {
          session_id: state.session.id,
          batch_seq: sequence,
          last_batch_flag: last,
          ...(request.totalRows !== undefined ? { estimated_num_total: request.totalRows } : {}),
        };
        if (state.session.edge === 'usersreplace' && sequence > 1) await opened;
        const sent = this.whenAudienceFree(audienceId, request, () =>
          this.call(async (attempt) => {
            try {
              return await this.client.sendUsers(accessToken, {
                audienceId,
                edge: state.session.edge,
                session,
                schema,
                data: batch.data,
                adAccountId: config.adAccountId,
              });
            } catch (error) {
              // Batch 1 of a replace again, after its answer was lost: Meta has it (1870147 says
              // the session started), so it counts as accepted.
              if (
                attempt > 1 &&
                sequence === 1 &&
                isGraphError(error, GraphCode.AUDIENCE_UPDATE_FAILED, GraphSubcode.INVALID_REPLACE_BATCH)
              )
                return undefined;
              throw error;
            }
          }, notBusy),
        );
        if (state.session.edge === 'usersreplace' && sequence === 1) opened = sent;
        return sent.catch((error: unknown) => {
          // Not retried here (the session is gone): the export fails as retryable, and its next run
          // finds the window passed and starts a new session from batch 1.
          if (isGraphError(error, GraphCode.AUDIENCE_UPDATE_FAILED, GraphSubcode.REPLACE_SESSION_TIMED_OUT))
            throw new RetryableError(
              `Meta ended replace session ${state.session.id} 90 minutes after its first batch, before its last; ` +
                'running the export again starts a new session and sends every row again.',
              FIRST_POLL_INTERVAL_MS,
              { cause: error },
            );
          throw error;
        });
      },
    };
  }

  /**
   * Runs a member call, waiting while another replace holds the audience (2650/1870145: Meta takes
   * one at a time), pausing twice as long each time up to `maxPollIntervalMs`; the wait is logged once.
   */
  private async whenAudienceFree<T>(
    audienceId: string,
    request: ExportRequest,
    operation: () => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + this.maxBusyWaitMs;
    let pause = FIRST_POLL_INTERVAL_MS;
    for (let looks = 0; ; looks++) {
      try {
        return await operation();
      } catch (error) {
        if (!isGraphError(error, GraphCode.AUDIENCE_UPDATE_FAILED, GraphSubcode.AUDIENCE_UPDATE_IN_PROGRESS))
          throw error;
        const remaining = deadline - Date.now();
        if (remaining <= 0)
          throw new RetryableError(
            `Another replace still held Meta audience ${audienceId} after ${describeDuration(this.maxBusyWaitMs)}; ` +
              'retry the export later: it resumes where it stopped.',
            this.maxPollIntervalMs,
            { cause: error },
          );
        if (looks === 0)
          this.calls.reporter?.milestone?.({
            type: 'WAITING',
            message: `Another replace is running on Meta audience ${audienceId}; Meta takes one at a time, so waiting for it to finish (at most ${describeDuration(this.maxBusyWaitMs)}).`,
            data: { audienceId, maxWaitMs: this.maxBusyWaitMs },
          });
        await pauseUnlessCancelled(Math.min(pause, this.maxPollIntervalMs, remaining), request.signal);
        pause *= 2;
      }
    }
  }

  /** What only Meta can tell before an export is queued: the account's terms, and room for a Create. */
  async preflight(input: { config: ConfigValues; credentials: ProviderCredentials }): Promise<void> {
    const config = readConfig(input.config);
    const accessToken = accessTokenOf(input.credentials);
    await this.audiences.ensureTermsAccepted(accessToken, config.adAccountId);
    if (config.action === 'Create') await this.audiences.ensureCapacity(accessToken, config.adAccountId);
  }

  async getStatus(input: {
    config: ConfigValues;
    credentials: ProviderCredentials;
    references: readonly ProviderReference[];
  }): Promise<ExportStatus> {
    const audience = input.references.find((reference) => reference.kind === META_AUDIENCE_REFERENCE);
    if (!audience)
      throw new PayloadValidationError('The export has no Meta audience to follow yet.', {
        field: 'references',
      });
    const details = await this.call(() =>
      this.client.getAudience(accessTokenOf(input.credentials), audience.id),
    );
    return toExportStatus(details);
  }

  /** A Graph call under the retry policy (see `ExportCalls`). */
  private call<T>(
    operation: (attempt: number) => Promise<T>,
    shouldRetry?: (error: unknown) => boolean,
  ): Promise<T> {
    return this.calls.call(operation, shouldRetry);
  }
}

// -------------------------------------------------------------------------------------------------

/** A busy audience is waited for by `whenAudienceFree`, not retried on the retry policy's short clock. */
function notBusy(error: unknown): boolean {
  return !isGraphError(error, GraphCode.AUDIENCE_UPDATE_FAILED, GraphSubcode.AUDIENCE_UPDATE_IN_PROGRESS);
}
