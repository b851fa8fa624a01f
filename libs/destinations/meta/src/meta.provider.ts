import { AsyncLocalStorage } from 'node:async_hooks';
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  cancelledExport,
  DEFAULT_RETRY_POLICY,
  InMemoryRateLimiter,
  InvalidCredentialsError,
  isDestinationError,
  maskIdentifier,
  PayloadValidationError,
  ProviderLimitError,
  RateLimitedError,
  RetryableError,
  runChunkedExport,
  sharedIdentifierHasher,
  withRetries,
  type ActivationKeySupport,
  type ChunkSender,
  type ChunksSentBefore,
  type ConfigValues,
  type DestinationProvider,
  type ExportCounts,
  type ExportReporter,
  type ExportRequest,
  type ExportResult,
  type ExportStatus,
  type ExternalAccount,
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
  type SentChunk,
} from '@conduit/destinations-core';
import {
  GraphCode,
  GraphSubcode,
  MAX_ROWS_PER_REQUEST,
  type CustomerFileSource,
  type WireUsersAnswer,
} from '@conduit/destinations-meta-wire';
import { META_DEFAULT_GRAPH_VERSION, META_GRAPH_BASE_URL, metaDialogUrl } from './api-version';
import { MetaBatchBuilder, type MetaBatch } from './meta-batch';
import { MetaClient } from './meta.client';
import { isGraphError, termsNotAccepted } from './meta.errors';
import { META_FIELDS, type MetaAction } from './meta.fields';
import { countInvalidEntries, schemaFor, toExportStatus } from './meta.mapper';

export const META_PROVIDER_ID = 'meta';
export const META_AUDIENCE_REFERENCE = 'META_AUDIENCE';
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

const CHECKPOINT_VERSION = 1;
/** Clock skew tolerated when adopting an audience created by a run whose answer was lost. */
const ADOPTION_SKEW_MS = 5 * 60 * 1000;
/**
 * Meta ends a replace session 90 minutes after its first batch and discards what came (reference
 * §4.6); a resume later than this (5 minutes of margin for clocks and the batch in flight) starts over.
 */
export const REPLACE_WINDOW_MS = 85 * 60 * 1000;
const MAX_BUSY_WAIT_MS = 95 * 60 * 1000;
const MAX_POLL_INTERVAL_MS = 5 * 60 * 1000;
const FIRST_POLL_INTERVAL_MS = 5_000;
/** Masked samples of Meta's invalid entries kept in the checkpoint (never a value as sent). */
const KEPT_SAMPLES = 3;

type Edge = 'users' | 'usersreplace';

/** What a Meta export records after every step it must not repeat. */
interface MetaExportState {
  audienceId: string | null;
  /** Set just before the create call: on resume, an audience created since then is adopted, not duplicated. */
  createStartedAt: string | null;
  /** The export's session: its id is chosen once, so a resumed run continues its batch sequence. */
  session: { id: number; edge: Edge; startedAt: string | null };
  /** What the session's accepted batches covered (`runChunkedExport`'s resume). */
  sent: ChunksSentBefore;
  /** Meta's `num_invalid_entries` for the session so far, and a few masked samples with their key. */
  invalid: { count: number; samples: Record<string, string> };
  /** The batch flagged last was accepted: the session is closed. */
  closed: boolean;
}

type Credentials = ProviderCredentials & { accessToken: string };

interface MetaConfig {
  adAccountId: string;
  audienceName: string;
  description?: string;
  action: MetaAction;
  customerFileSource: CustomerFileSource;
}

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
  private readonly graphVersion: string;
  private readonly retryPolicy: RetryPolicy;
  private readonly hasher: IdentifierHasher;
  private readonly batchRows: number;
  private readonly concurrency: number;
  private readonly maxBusyWaitMs: number;
  private readonly maxPollIntervalMs: number;
  /** The reporter of the export the current call serves, so its retries reach that export's log. */
  private readonly exporting = new AsyncLocalStorage<ExportReporter>();

  constructor(private readonly options: MetaProviderOptions) {
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
      observer: options.observer,
      timeoutMs: options.timeoutMs,
    });
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.hasher = options.hasher ?? sharedIdentifierHasher();
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.maxBusyWaitMs = options.maxBusyWaitMs ?? MAX_BUSY_WAIT_MS;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? MAX_POLL_INTERVAL_MS;
    this.authorization = this.createAuthorization();
  }

  // ---------------------------------------------------------------------------------------------
  // Authorization
  // ---------------------------------------------------------------------------------------------

  private createAuthorization(): OAuthAuthorization {
    const accountsOf = async (credentials: ProviderCredentials): Promise<ExternalAccount[]> =>
      this.call(() => this.client.listAdAccounts(token(credentials)));
    return {
      callbackCodeParameter: 'code',
      redirectUri: this.options.redirectUri,
      buildAuthorizeUrl: ({ state, redirectUri }) => {
        const url = new URL(this.options.dialogUrl ?? metaDialogUrl(this.graphVersion));
        url.searchParams.set('client_id', this.options.appId);
        url.searchParams.set('redirect_uri', redirectUri);
        url.searchParams.set('state', state);
        url.searchParams.set('response_type', 'code');
        url.searchParams.set('scope', 'ads_management');
        return url.toString();
      },
      exchangeCode: async ({ code, redirectUri }) => {
        // A code is single use: only a throttled call (refused before Meta looked at the code) is
        // retried; after a timeout or a 5xx the code may be spent.
        const shortToken = await withRetries(
          () => this.client.exchangeCode(code, redirectUri),
          this.retryPolicy,
          { shouldRetry: (error) => error instanceof RateLimitedError },
        );
        // Web-login tokens last an hour or two; the long-lived one about 60 days, with no refresh token.
        const long = await this.call(() => this.client.exchangeForLongLived(shortToken));
        const credentials: Record<string, string> = { accessToken: long.accessToken };
        if (long.expiresInS !== undefined)
          credentials['expiresAt'] = new Date(Date.now() + long.expiresInS * 1000).toISOString();
        return { credentials, accounts: await accountsOf(credentials) };
      },
      listAccounts: accountsOf,
      revoke: async (credentials) => {
        try {
          await this.call(() => this.client.removeApp(token(credentials)));
        } catch (error) {
          // A token Meta no longer accepts grants nothing: there is nothing left to revoke.
          if (!(error instanceof InvalidCredentialsError)) throw error;
        }
      },
      // A dead token answers 190 on any call: listing the ad accounts checks it and refreshes them.
      checkHealth: async (credentials) => ({ accounts: await accountsOf(credentials) }),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Export
  // ---------------------------------------------------------------------------------------------

  async export(request: ExportRequest, reporter: ExportReporter): Promise<ExportResult> {
    return this.exporting.run(reporter, () => this.runExport(request, reporter));
  }

  private async runExport(request: ExportRequest, reporter: ExportReporter): Promise<ExportResult> {
    const config = readConfig(request.config);
    const credentials = request.credentials as Credentials;
    const accessToken = token(credentials);
    checkMapping(request);
    const saved =
      request.checkpoint?.version === CHECKPOINT_VERSION
        ? (request.checkpoint.state as unknown as MetaExportState)
        : undefined;
    const edge: Edge = config.action === 'Replace' ? 'usersreplace' : 'users';
    const state: MetaExportState = saved ? structuredClone(saved) : freshState(edge);
    const save = () =>
      reporter.checkpoint({
        version: CHECKPOINT_VERSION,
        state: structuredClone(state) as unknown as Record<string, unknown>,
      });

    if (!request.dryRun) {
      // Before a single row is read: a dead token, or terms nobody accepted, fail fast and clearly.
      await this.ensureTermsAccepted(accessToken, config.adAccountId);
      state.audienceId ??= await this.resolveAudience(request, config, accessToken, state, save, reporter);
      if (edge === 'usersreplace' && this.replaceWindowPassed(state)) {
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
        this.recordSent(state, chunk);
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
    if (state.sent.chunks === 0)
      throw new PayloadValidationError(
        `The segment has no valid identifier to send (${describeInvalid(counts)}); check the column mapping and the data.`,
        { field: 'mapping' },
      );
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
        return this.whenAudienceFree(audienceId, request, () =>
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
              if (
                isGraphError(error, GraphCode.AUDIENCE_UPDATE_FAILED, GraphSubcode.REPLACE_SESSION_TIMED_OUT)
              )
                throw new RetryableError(
                  `Meta ended replace session ${state.session.id} 90 minutes after its first batch, before its last; ` +
                    'running the export again starts a new session and sends every row again.',
                  FIRST_POLL_INTERVAL_MS,
                  { cause: error },
                );
              throw error;
            }
          }),
        );
      },
    };
  }

  /** Meta's counts of the session so far (its answers are cumulative) and the batches covered. */
  private recordSent(state: MetaExportState, chunk: SentChunk<WireUsersAnswer | undefined>): void {
    state.sent = {
      throughRow: chunk.endRow,
      chunks: chunk.sequence,
      values: state.sent.values + chunk.values,
      bytes: state.sent.bytes + chunk.bytes,
    };
    if (chunk.last) state.closed = true;
    const answer = chunk.receipt;
    if (!answer) return;
    state.invalid.count = Math.max(state.invalid.count, answer.num_invalid_entries);
    for (const [value, key] of Object.entries(answer.invalid_entry_samples)) {
      if (Object.keys(state.invalid.samples).length >= KEPT_SAMPLES) break;
      state.invalid.samples[maskIdentifier(value)] = key;
    }
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
          this.exporting.getStore()?.milestone?.({
            type: 'WAITING',
            message: `Another replace is running on Meta audience ${audienceId}; Meta takes one at a time, so waiting for it to finish (at most ${describeDuration(this.maxBusyWaitMs)}).`,
            data: { audienceId, maxWaitMs: this.maxBusyWaitMs },
          });
        await pauseFor(Math.min(pause, this.maxPollIntervalMs, remaining), request.signal);
        pause *= 2;
      }
    }
  }

  private replaceWindowPassed(state: MetaExportState): boolean {
    const startedAt = state.session.startedAt;
    return !state.closed && startedAt !== null && Date.now() - Date.parse(startedAt) >= REPLACE_WINDOW_MS;
  }

  /**
   * The audience the export sends to. Create makes it: the moment it starts is checkpointed before the
   * call, so a run that dies before its first batch is recorded (the id is saved with it), or a create
   * whose answer was lost, adopts the audience made since then instead of making a second. Append
   * and Replace find the one the last Create recorded, else the newest by name.
   */
  private async resolveAudience(
    request: ExportRequest,
    config: MetaConfig,
    accessToken: string,
    state: MetaExportState,
    save: () => Promise<void>,
    reporter: ExportReporter,
  ): Promise<string> {
    if (config.action !== 'Create') {
      const audienceId = await this.findTarget(accessToken, config, request.previousReferences ?? []);
      state.audienceId = audienceId;
      await save();
      return audienceId;
    }
    const adopted = state.createStartedAt
      ? await this.findAudienceByName(
          accessToken,
          config,
          Date.parse(state.createStartedAt) - ADOPTION_SKEW_MS,
        )
      : undefined;
    if (adopted) return adopted;
    await this.ensureAudienceCapacity(accessToken, config.adAccountId);
    const startedAt = Date.now();
    state.createStartedAt = new Date(startedAt).toISOString();
    await save();
    const audienceId = await this.call(async (attempt) => {
      // A failed attempt may have created the audience all the same (its answer lost on the way back).
      const created =
        attempt > 1
          ? await this.findAudienceByName(accessToken, config, startedAt - ADOPTION_SKEW_MS)
          : undefined;
      if (created) return created;
      return this.client.createAudience(accessToken, {
        adAccountId: config.adAccountId,
        name: config.audienceName,
        description: config.description,
        customerFileSource: config.customerFileSource,
      });
    });
    reporter.milestone?.({
      type: 'AUDIENCE_CREATED',
      message: `Created Meta audience "${config.audienceName}" (${audienceId}) in ad account ${config.adAccountId}`,
      data: { audienceId, name: config.audienceName, adAccountId: config.adAccountId },
    });
    return audienceId;
  }

  /** Meta refuses to create or change customer-list audiences until the account's terms are accepted. */
  private async ensureTermsAccepted(accessToken: string, adAccountId: string): Promise<void> {
    const accepted = await this.call(() => this.client.customAudienceTermsAccepted(accessToken, adAccountId));
    if (!accepted) throw termsNotAccepted(adAccountId);
  }

  /** Before Create: Meta allows 500 customer-list audiences per ad account. */
  private async ensureAudienceCapacity(accessToken: string, adAccountId: string): Promise<void> {
    const audiences = await this.call(() => this.client.listAudiences(accessToken, adAccountId));
    if (audiences.length >= this.limits.audiencesPerAccount)
      throw new ProviderLimitError(
        `Meta ad account ${adAccountId} already has ${audiences.length} custom audiences, the most Meta allows (${this.limits.audiencesPerAccount}). ` +
          'Delete unused audiences in Meta Ads Manager, or use Append / Replace on an existing audience instead of Create.',
        'audiencesPerAccount',
      );
  }

  private async findTarget(
    accessToken: string,
    config: MetaConfig,
    previous: readonly ProviderReference[],
  ): Promise<string> {
    const recorded = [...previous].reverse().find((reference) => reference.kind === META_AUDIENCE_REFERENCE);
    if (recorded) {
      const exists = await this.call(() => this.client.getAudience(accessToken, recorded.id)).then(
        () => true,
        (error: unknown) => {
          // Deleted in Meta since (100/33): fall back to the name.
          if (isGraphError(error, GraphCode.INVALID_PARAMETER, GraphSubcode.OBJECT_NOT_FOUND)) return false;
          throw error;
        },
      );
      if (exists) return recorded.id;
    }
    const byName = await this.findAudienceByName(accessToken, config);
    if (!byName)
      throw new PayloadValidationError(
        `No Meta audience named "${config.audienceName}" exists in ad account ${config.adAccountId}, so there is nothing to ${config.action.toLowerCase()}. ` +
          'Run a Create export first, or check the Audience name.',
        { field: 'config.audienceName' },
      );
    return byName;
  }

  /** The newest audience with the config's name (created since `createdSinceMs`, when given). */
  private async findAudienceByName(
    accessToken: string,
    config: MetaConfig,
    createdSinceMs?: number,
  ): Promise<string | undefined> {
    const audiences = await this.call(() => this.client.listAudiences(accessToken, config.adAccountId));
    let best: { id: string; created: number } | undefined;
    for (const audience of audiences) {
      if (audience.name !== config.audienceName) continue;
      const created = (audience.timeCreated ?? 0) * 1000;
      if (createdSinceMs !== undefined && created < Math.floor(createdSinceMs / 1000) * 1000) continue;
      if (
        !best ||
        created > best.created ||
        (created === best.created && BigInt(audience.id) > BigInt(best.id))
      )
        best = { id: audience.id, created };
    }
    return best?.id;
  }

  /** What only Meta can tell before an export is queued: the account's terms, and room for a Create. */
  async preflight(input: { config: ConfigValues; credentials: ProviderCredentials }): Promise<void> {
    const config = readConfig(input.config);
    const accessToken = token(input.credentials);
    await this.ensureTermsAccepted(accessToken, config.adAccountId);
    if (config.action === 'Create') await this.ensureAudienceCapacity(accessToken, config.adAccountId);
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
    const details = await this.call(() => this.client.getAudience(token(input.credentials), audience.id));
    return toExportStatus(details);
  }

  /**
   * A Meta call under the retry policy. Inside an export, each retry goes to the export's log: what
   * Meta answered, and when the next try is.
   */
  private call<T>(operation: (attempt: number) => Promise<T>): Promise<T> {
    const reporter = this.exporting.getStore();
    const attempts = this.retryPolicy.attempts;
    return withRetries(operation, this.retryPolicy, {
      onRetry: (error, attempt, delayMs) =>
        reporter?.milestone?.({
          type: 'RETRYING',
          message: `${error instanceof Error ? error.message : String(error)} Trying again in ${describeDuration(delayMs)} (attempt ${attempt + 1} of ${attempts}).`,
          data: { attempt, delayMs, ...(isDestinationError(error) ? { kind: error.kind } : {}) },
        }),
    });
  }
}

// -------------------------------------------------------------------------------------------------

function freshState(edge: Edge): MetaExportState {
  return {
    audienceId: null,
    createStartedAt: null,
    // Positive, unique within the ad account (reference §4.3): 48 random bits make a collision unlikely.
    session: { id: randomInt(1, 2 ** 48), edge, startedAt: null },
    sent: { throughRow: 0, chunks: 0, values: 0, bytes: 0 },
    invalid: { count: 0, samples: {} },
    closed: false,
  };
}

/** The resolved config, typed. The domain validated it against META_FIELDS; this guards the contract. */
function readConfig(config: ConfigValues): MetaConfig {
  const { adAccountId, audienceName, description, action, customerFileSource } = config;
  if (
    typeof adAccountId !== 'string' ||
    !/^act_\d+$/.test(adAccountId) ||
    typeof audienceName !== 'string' ||
    (action !== 'Create' && action !== 'Append' && action !== 'Replace')
  )
    throw new PayloadValidationError(
      'The Meta destination needs adAccountId (act_<digits>), audienceName and action (Create, Append or Replace).',
      { field: 'config' },
    );
  const source = customerFileSource ?? 'USER_PROVIDED_ONLY';
  if (
    source !== 'USER_PROVIDED_ONLY' &&
    source !== 'PARTNER_PROVIDED_ONLY' &&
    source !== 'BOTH_USER_AND_PARTNER_PROVIDED'
  )
    throw new PayloadValidationError(
      'customerFileSource must be USER_PROVIDED_ONLY, PARTNER_PROVIDED_ONLY or BOTH_USER_AND_PARTNER_PROVIDED.',
      { field: 'config.customerFileSource' },
    );
  return {
    adAccountId,
    audienceName,
    action,
    customerFileSource: source,
    ...(typeof description === 'string' && description !== '' ? { description } : {}),
  };
}

/** At least one key; mobile advertiser ids raw: Meta matches them unhashed, and a digest cannot be undone. */
function checkMapping(request: ExportRequest): void {
  if (request.mapping.length === 0)
    throw new PayloadValidationError(
      'Map at least one segment column to an activation key (EMAIL, PHONE or MAID).',
      {
        field: 'mapping',
      },
    );
  const hashedMaid = request.mapping.find((entry) => entry.keyType === 'MAID' && entry.encoding !== 'RAW');
  if (hashedMaid)
    throw new PayloadValidationError(
      `Column "${hashedMaid.column}" is mapped as a SHA-256 mobile advertiser id, but Meta matches mobile advertiser ids unhashed ` +
        '(a hashed one matches nobody). Map a column holding the ids themselves, as RAW.',
      { field: `mapping.${hashedMaid.column}` },
    );
}

function token(credentials: ProviderCredentials): string {
  const accessToken = credentials['accessToken'];
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new InvalidCredentialsError(
      'The authorization holds no Meta access token; reconnect the Meta Ads authorization.',
    );
  return accessToken;
}

/** Sleeps, unless the export is cancelled meanwhile. */
async function pauseFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => {
    throw cancelledExport();
  });
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

const DURATION_UNITS = [
  [60 * 60 * 1000, 'h'],
  [60 * 1000, 'min'],
  [1000, 's'],
] as const;

/** For messages: 5700000 → "1.6 h", 90000 → "1.5 min", 40 → "40 ms". */
function describeDuration(ms: number): string {
  const unit = DURATION_UNITS.find(([size]) => ms >= size);
  return unit ? `${Number((ms / unit[0]).toFixed(1))} ${unit[1]}` : `${ms} ms`;
}

function describeInvalid(counts: ExportCounts): string {
  const reasons = Object.entries(counts.invalid).map(([reason, count]) => `${count} ${reason}`);
  return `${counts.read} rows read${reasons.length ? `; rejected: ${reasons.join(', ')}` : ''}`;
}
