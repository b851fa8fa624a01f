import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_RETRY_POLICY,
  InMemoryRateLimiter,
  PayloadValidationError,
  ProviderLimitError,
  RateLimitedError,
  RetryableError,
  sharedIdentifierHasher,
  withRetries,
  ExportCalls,
  describeDuration,
  formatCount,
  pauseUnlessCancelled,
  runChunkedExport,
  type ActivationKeySupport,
  type IdentifierHasher,
  type ConfigValues,
  type DestinationProvider,
  type ExportCounts,
  type ExportMilestone,
  type ExportReporter,
  type ExportRequest,
  type ExportResult,
  type ExportStatus,
  type ExternalAccount,
  type OAuthAuthorization,
  type ProviderCredentials,
  type ProviderObserver,
  type ProviderLimits,
  type ProviderReference,
  type RateLimits,
  type RequestRateLimiter,
  type RetryPolicy,
} from '@conduit/destinations-core';
import { TIKTOK_PORTAL_AUTH_URL, TIKTOK_PRODUCTION_BASE_URL } from './api-version';
import type { WrittenFile } from './audience-file.writer';
import { CustomerFiles } from './customer-files';
import { TikTokClient, type TikTokUpdateAudienceInput } from './tiktok.client';
import { TIKTOK_FIELDS, type TikTokAction } from './tiktok.fields';
import { calculateTypeFor, parseTikTokTime, toExportStatus } from './tiktok.mapper';

export const TIKTOK_PROVIDER_ID = 'tiktok';
export const TIKTOK_AUDIENCE_REFERENCE = 'TIKTOK_AUDIENCE';
/** TikTok's request quota per developer app on the Basic tier (reference: 10 QPS, 600 QPM). */
export const TIKTOK_BASIC_QUOTA: RateLimits = { perSecond: 10, perMinute: 600 };

export interface TikTokProviderOptions {
  /** The developer app (TikTok for Business portal): deployment settings, not per tenant. */
  appId: string;
  secret: string;
  /** e.g. https://business-api.tiktok.com/open_api/v1.3, or the emulator's. */
  apiBaseUrl?: string;
  /** The consent page (TikTok: https://business-api.tiktok.com/portal/auth). */
  authorizeUrl?: string;
  /** The redirect URI registered with the app, when it is not the API's own callback route. */
  redirectUri?: string;
  /** The app's request quota: TikTok's Basic tier (10 QPS / 600 QPM) unless TikTok granted more. */
  quota?: RateLimits;
  /** Shared across workers in production (Redis); defaults to `quota` kept in this process. */
  rateLimiter?: RequestRateLimiter;
  /** Largest customer file to upload (TikTok: 250 MB). */
  maxFileBytes?: number;
  /** Files uploaded in parallel, all under the rate limit. */
  uploadConcurrency?: number;
  retryPolicy?: RetryPolicy;
  /** Where customer files are written before upload. */
  workDirectory?: string;
  timeoutMs?: number;
  /**
   * How long one update may wait for TikTok to finish processing the audience (TikTok takes up to
   * 48 h) before the export fails as retryable, to resume later (default 6 h).
   */
  maxProcessingWaitMs?: number;
  /** The longest pause between two looks at an audience TikTok is processing (default 5 min). */
  maxPollIntervalMs?: number;
  /** Told of every request (endpoint, code, latency): the app's metrics. */
  observer?: ProviderObserver;
  /** Normalizes and hashes identifiers (default: the process's pool of worker threads, one per core). */
  hasher?: IdentifierHasher;
}

const MAX_FILE_BYTES = 250 * 1024 * 1024;
/** TikTok accepts up to 500 file paths per request but recommends fewer than 50. */
const FILES_PER_REQUEST = 49;
const CHECKPOINT_VERSION = 1;
/** Clock skew tolerated when adopting an audience created by a run that crashed mid-request. */
const ADOPTION_SKEW_MS = 5 * 60 * 1000;
const MAX_PROCESSING_WAIT_MS = 6 * 60 * 60 * 1000;
const MAX_POLL_INTERVAL_MS = 5 * 60 * 1000;
/** The first pause while TikTok processes an audience: each next one is twice as long. */
const FIRST_POLL_INTERVAL_MS = 5_000;

interface UploadedFile {
  filePath: string;
  endRow: number;
  /** Distinct identifiers in the file. */
  values: number;
  /** Its size (absent in checkpoints written before it was recorded). */
  bytes?: number;
}

/** What a TikTok export records after every step it must not repeat. */
interface TikTokExportState {
  calculateType: string;
  /** Uploaded customer files, in row order. */
  files: UploadedFile[];
  audienceId: string | null;
  /** Set just before the create call: on resume, an audience created since then is adopted, not duplicated. */
  createStartedAt: string | null;
  /** How many of `files` the audience has received. */
  appliedFiles: number;
}

type Credentials = ProviderCredentials & { accessToken: string };

/** One batch's wait for TikTok to finish processing the audience. */
interface Wait {
  deadline: number;
  reporter: ExportReporter;
  signal: AbortSignal | undefined;
}

/**
 * TikTok custom audiences from customer files (Marketing API v1.3): OAuth for advertiser accounts,
 * and Create / Append / Replace exports that stream the segment into MD5-signed files, upload them
 * under the app's rate limit and resume from checkpoints without re-uploading or duplicating audiences.
 */
export class TikTokProvider implements DestinationProvider {
  readonly id = TIKTOK_PROVIDER_ID;
  readonly displayName = 'TikTok Ads';
  readonly documentationUrl = 'https://business-api.tiktok.com/portal/docs?id=1739940570793985';
  readonly fields = TIKTOK_FIELDS;
  readonly keys: ActivationKeySupport = {
    types: ['EMAIL', 'PHONE', 'MAID'],
    encodings: ['RAW', 'SHA256'],
    minKeys: 1,
  };
  readonly limits: ProviderLimits;
  readonly authorization: OAuthAuthorization;
  private readonly client: TikTokClient;
  private readonly retryPolicy: RetryPolicy;
  /** TikTok calls under the retry policy, each retry told to the log of the export it serves. */
  private readonly calls: ExportCalls;
  private readonly uploadConcurrency: number;
  private readonly workDirectory: string;
  private readonly maxProcessingWaitMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly hasher: IdentifierHasher;

  constructor(private readonly options: TikTokProviderOptions) {
    const quota = options.quota ?? TIKTOK_BASIC_QUOTA;
    this.limits = {
      audiencesPerAccount: 400,
      minAudienceSize: 1000,
      maxFileBytes: options.maxFileBytes ?? MAX_FILE_BYTES,
      requestsPerSecond: quota.perSecond,
      requestsPerMinute: quota.perMinute ?? quota.perSecond * 60,
      processingTimeMs: 48 * 60 * 60 * 1000,
    };
    this.client = new TikTokClient({
      baseUrl: options.apiBaseUrl ?? TIKTOK_PRODUCTION_BASE_URL,
      timeoutMs: options.timeoutMs,
      rateLimiter: options.rateLimiter ?? new InMemoryRateLimiter(quota),
      rateLimitKey: options.appId,
      observer: options.observer,
    });
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.calls = new ExportCalls(this.retryPolicy);
    this.uploadConcurrency = Math.max(1, options.uploadConcurrency ?? 2);
    this.workDirectory = options.workDirectory ?? tmpdir();
    this.maxProcessingWaitMs = options.maxProcessingWaitMs ?? MAX_PROCESSING_WAIT_MS;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? MAX_POLL_INTERVAL_MS;
    this.hasher = options.hasher ?? sharedIdentifierHasher();
    this.authorization = this.createAuthorization();
  }

  // ---------------------------------------------------------------------------------------------
  // Authorization
  // ---------------------------------------------------------------------------------------------

  private createAuthorization(): OAuthAuthorization {
    const { appId, secret } = this.options;
    const accountsOf = async (credentials: ProviderCredentials): Promise<ExternalAccount[]> => {
      const advertisers = await this.call(() =>
        this.client.getAuthorizedAdvertisers({ appId, secret, accessToken: token(credentials) }),
      );
      return advertisers.map((advertiser) => ({
        id: advertiser.advertiserId,
        name: advertiser.advertiserName,
      }));
    };
    return {
      callbackCodeParameter: 'auth_code',
      redirectUri: this.options.redirectUri,
      buildAuthorizeUrl: ({ state, redirectUri }) => {
        const url = new URL(this.options.authorizeUrl ?? TIKTOK_PORTAL_AUTH_URL);
        url.searchParams.set('app_id', appId);
        url.searchParams.set('state', state);
        url.searchParams.set('redirect_uri', redirectUri);
        return url.toString();
      },
      exchangeCode: async ({ code }) => {
        // An auth code is single use: only a throttled call (refused before TikTok looked at the code)
        // is retried; after a timeout or a 5xx the code may be spent, so those are not.
        const issued = await withRetries(
          () => this.client.exchangeAuthCode({ appId, secret, authCode: code }),
          this.retryPolicy,
          { shouldRetry: (error) => error instanceof RateLimitedError },
        );
        const credentials = { accessToken: issued.accessToken };
        return { credentials, accounts: await accountsOf(credentials) };
      },
      listAccounts: accountsOf,
      revoke: async (credentials) => {
        await this.client.revokeToken({ appId, secret, accessToken: token(credentials) });
      },
      checkHealth: async (credentials) => {
        await this.call(() => this.client.getUserInfo(token(credentials)));
        return { accounts: await accountsOf(credentials) };
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Export
  // ---------------------------------------------------------------------------------------------

  async export(request: ExportRequest, reporter: ExportReporter): Promise<ExportResult> {
    return this.calls.during(reporter, () => this.runExport(request, reporter));
  }

  private async runExport(request: ExportRequest, reporter: ExportReporter): Promise<ExportResult> {
    const config = readConfig(request.config);
    const credentials = request.credentials as Credentials;
    token(credentials);
    if (request.mapping.length < this.keys.minKeys) {
      throw new PayloadValidationError(
        'Map at least one segment column to an activation key (EMAIL, PHONE or MAID).',
        { field: 'mapping' },
      );
    }
    const keyTypes = request.mapping.map((mapping) => mapping.keyType);
    const saved =
      request.checkpoint?.version === CHECKPOINT_VERSION
        ? (request.checkpoint.state as unknown as TikTokExportState)
        : undefined;
    const state: TikTokExportState = saved
      ? structuredClone(saved)
      : {
          calculateType: calculateTypeFor(keyTypes),
          files: [],
          audienceId: null,
          createStartedAt: null,
          appliedFiles: 0,
        };
    const save = () =>
      reporter.checkpoint({
        version: CHECKPOINT_VERSION,
        state: structuredClone(state) as unknown as Record<string, unknown>,
      });

    // A dry run never calls TikTok: the whole pipeline but the sending, counted.
    if (request.dryRun)
      return {
        counts: await this.uploadSegment(request, config, credentials, state, save, reporter),
        references: [],
      };
    // Check the credentials before reading a single row: a revoked token fails fast and clearly.
    await this.call(() => this.client.getUserInfo(credentials.accessToken));
    const counts = await this.uploadSegment(request, config, credentials, state, save, reporter);
    const audienceId = await this.applyToAudience(request, config, credentials, state, save, reporter);
    return {
      counts,
      references: [{ kind: TIKTOK_AUDIENCE_REFERENCE, id: audienceId, name: config.audienceName }],
    };
  }

  /**
   * Streams the segment through the shared export path (`runChunkedExport`: normalize → hash → dedupe
   * → chunks → bounded concurrency → checkpoints in row order) into TikTok's chunks: customer files
   * cut at row boundaries below the size limit, each uploaded, recorded and deleted from the disk.
   * On resume, rows already covered by uploaded files are read again only to rebuild counts and the
   * dedupe set.
   */
  private async uploadSegment(
    request: ExportRequest,
    config: TikTokConfig,
    credentials: Credentials,
    state: TikTokExportState,
    save: () => Promise<void>,
    reporter: ExportReporter,
  ): Promise<ExportCounts> {
    const directory = mkdtempSync(join(this.workDirectory, 'conduit-tiktok-'));
    const last = state.files[state.files.length - 1];
    try {
      const { counts } = await runChunkedExport({
        request,
        normalize: { phoneHashIncludesPlus: config.phoneHashFormat !== 'E164_DIGITS_ONLY' },
        hasher: this.hasher,
        destination: this.displayName,
        concurrency: this.uploadConcurrency,
        resume: {
          throughRow: last?.endRow ?? 0,
          chunks: state.files.length,
          values: uploadedLines(state),
          bytes: state.files.reduce((total, file) => total + (file.bytes ?? 0), 0),
        },
        sender: new CustomerFiles({
          directory,
          exportId: request.exportId,
          types: [...new Set(request.mapping.map((mapping) => mapping.keyType))],
          multipleTypes: state.calculateType === 'MULTIPLE_TYPES',
          maxFileBytes: this.limits.maxFileBytes,
          upload: (file) => this.uploadFile(config.advertiserId, credentials, state.calculateType, file),
        }),
        onSent: async ({ receipt, endRow, values, bytes }) => {
          state.files.push({ filePath: receipt.filePath, endRow, values, bytes });
          await save();
          reporter.milestone?.(uploadedMilestone(state.files.length, receipt.filePath, values, bytes));
        },
        reporter,
      });
      return counts;
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }

  private uploadFile(
    advertiserId: string,
    credentials: Credentials,
    calculateType: string,
    file: WrittenFile,
  ): Promise<{ filePath: string }> {
    return this.call(
      () =>
        this.client.uploadFile(credentials.accessToken, {
          advertiserId,
          calculateType,
          path: file.path,
          fileName: file.fileName,
          md5: file.md5,
        }),
      // A signature mismatch is retried once: a second one means the file itself is the problem.
      (error, attempt) => !(isProviderCode(error, 40900) && attempt >= 2),
    );
  }

  /** Create, or find the target of Append / Replace, then hand it every file in batches. */
  private async applyToAudience(
    request: ExportRequest,
    config: TikTokConfig,
    credentials: Credentials,
    state: TikTokExportState,
    save: () => Promise<void>,
    reporter: ExportReporter,
  ): Promise<string> {
    const filePaths = state.files.map((file) => file.filePath);
    const accessToken = credentials.accessToken;
    if (!state.audienceId && config.action === 'Create') {
      const adopted = state.createStartedAt
        ? await this.findAudienceByName(
            accessToken,
            config,
            new Date(Date.parse(state.createStartedAt) - ADOPTION_SKEW_MS),
          )
        : undefined;
      if (adopted) {
        state.audienceId = adopted;
        state.appliedFiles = Math.min(FILES_PER_REQUEST, filePaths.length);
      } else {
        await this.ensureAudienceCapacity(accessToken, config.advertiserId);
        const startedAt = new Date();
        state.createStartedAt = startedAt.toISOString();
        await save();
        const batch = filePaths.slice(0, FILES_PER_REQUEST);
        const audienceId = await this.call(async (attempt) => {
          // A failed attempt may have created the audience all the same (its answer lost on the way
          // back): adopt it rather than create a second one.
          const since = new Date(startedAt.getTime() - ADOPTION_SKEW_MS);
          const created = attempt > 1 ? await this.findAudienceByName(accessToken, config, since) : undefined;
          if (created) return created;
          const answer = await this.client.createAudience(accessToken, {
            advertiserId: config.advertiserId,
            name: config.audienceName,
            calculateType: state.calculateType,
            filePaths: batch,
            retentionInDays: config.retentionInDays,
          });
          return answer.audienceId;
        });
        state.audienceId = audienceId;
        state.appliedFiles = batch.length;
        reporter.milestone?.({
          type: 'AUDIENCE_CREATED',
          message: `Created TikTok audience "${config.audienceName}" (${audienceId}) with ${fileCount(batch.length)}`,
          data: { audienceId, name: config.audienceName, files: batch.length },
        });
      }
      await save();
    }
    if (!state.audienceId) {
      state.audienceId = await this.findTarget(accessToken, config, request.previousReferences ?? []);
      await save();
    }
    const audienceId = state.audienceId;
    while (state.appliedFiles < filePaths.length) {
      const batch = filePaths.slice(state.appliedFiles, state.appliedFiles + FILES_PER_REQUEST);
      const action = config.action === 'Replace' && state.appliedFiles === 0 ? 'REPLACE' : 'APPEND';
      const update: TikTokUpdateAudienceInput = {
        advertiserId: config.advertiserId,
        audienceId,
        action,
        filePaths: batch,
      };
      await this.updateWhenEditable(accessToken, update, reporter, request.signal);
      state.appliedFiles += batch.length;
      await save();
      reporter.milestone?.({
        type: 'AUDIENCE_UPDATED',
        message: `Sent ${fileCount(batch.length)} to TikTok audience ${audienceId} (${action})`,
        data: { audienceId, action, files: batch.length },
      });
    }
    return audienceId;
  }

  /**
   * Hands TikTok one batch of files once the audience is editable. TikTok refuses to change an
   * audience it is still processing (40002; processing takes up to 48 h), so the wait comes first;
   * a 40002 answered while the audience is processing again (busy since the last look) leads back to
   * the wait, any other refusal is explained. One deadline bounds all the waiting for the batch.
   */
  private async updateWhenEditable(
    accessToken: string,
    update: TikTokUpdateAudienceInput,
    reporter: ExportReporter,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const wait: Wait = { deadline: Date.now() + this.maxProcessingWaitMs, reporter, signal };
    await this.waitUntilEditable(accessToken, update, wait);
    for (;;) {
      try {
        await this.call(() => this.client.updateAudience(accessToken, update));
        return;
      } catch (error) {
        if (!isProviderCode(error, 40002) || !(await this.waitUntilEditable(accessToken, update, wait)))
          throw explainUpdateRefusal(error, update.action, update.audienceId);
      }
    }
  }

  /**
   * Looks at the audience until TikTok has processed it, pausing twice as long each time (at most
   * maxPollIntervalMs) and reporting the wait once. Resolves whether there was anything to wait for.
   */
  private async waitUntilEditable(
    accessToken: string,
    update: TikTokUpdateAudienceInput,
    wait: Wait,
  ): Promise<boolean> {
    let pause = FIRST_POLL_INTERVAL_MS;
    for (let looks = 0; ; looks++) {
      const { state } = await this.audienceStatus(accessToken, update.advertiserId, update.audienceId);
      if (state !== 'PROCESSING') return looks > 0;
      const remaining = wait.deadline - Date.now();
      if (remaining <= 0) throw stillProcessing(update, this.maxProcessingWaitMs, this.maxPollIntervalMs);
      if (looks === 0) wait.reporter.milestone?.(waitingMilestone(update, this.maxProcessingWaitMs));
      await pauseUnlessCancelled(Math.min(pause, this.maxPollIntervalMs, remaining), wait.signal);
      pause *= 2;
    }
  }

  /** Before Create: TikTok allows 400 custom audiences per advertiser. */
  private async ensureAudienceCapacity(accessToken: string, advertiserId: string): Promise<void> {
    const { page } = await this.call(() =>
      this.client.listAudiences(accessToken, { advertiserId, page: 1, pageSize: 1 }),
    );
    if (page.totalNumber >= this.limits.audiencesPerAccount) {
      throw new ProviderLimitError(
        `TikTok advertiser ${advertiserId} already has ${page.totalNumber} custom audiences, the most TikTok allows (${this.limits.audiencesPerAccount}). ` +
          'Delete unused audiences in TikTok Audience Manager, or use Append / Replace on an existing audience instead of Create.',
        'audiencesPerAccount',
      );
    }
  }

  /** Append / Replace act on the audience the last Create recorded, else the newest with that name. */
  private async findTarget(
    accessToken: string,
    config: TikTokConfig,
    previous: readonly ProviderReference[],
  ): Promise<string> {
    const recorded = [...previous]
      .reverse()
      .find((reference) => reference.kind === TIKTOK_AUDIENCE_REFERENCE);
    if (recorded) {
      const { audiences } = await this.call(() =>
        this.client.listAudiences(accessToken, {
          advertiserId: config.advertiserId,
          audienceIds: [recorded.id],
          pageSize: 1,
        }),
      );
      if (audiences.length > 0) return recorded.id;
    }
    const byName = await this.findAudienceByName(accessToken, config);
    if (!byName) {
      throw new PayloadValidationError(
        `No TikTok audience named "${config.audienceName}" exists for advertiser ${config.advertiserId}, so there is nothing to ${config.action.toLowerCase()}. Run a Create export first, or check the Audience Name.`,
        { field: 'config.audienceName' },
      );
    }
    return byName;
  }

  private async findAudienceByName(
    accessToken: string,
    config: TikTokConfig,
    createdSince?: Date,
  ): Promise<string | undefined> {
    let best: { id: string; created: number } | undefined;
    for (let page = 1; ; page++) {
      const result = await this.call(() =>
        this.client.listAudiences(accessToken, { advertiserId: config.advertiserId, page, pageSize: 100 }),
      );
      for (const audience of result.audiences) {
        if (audience.name !== config.audienceName) continue;
        const created = parseTikTokTime(audience.createTime).getTime();
        if (createdSince && created < createdSince.getTime()) continue;
        if (
          !best ||
          created > best.created ||
          (created === best.created && BigInt(audience.audienceId) > BigInt(best.id))
        )
          best = { id: audience.audienceId, created };
      }
      if (page >= result.page.totalPage) return best?.id;
    }
  }

  /** A Create needs room under TikTok's 400 audiences per advertiser: asked before the export is queued. */
  async preflight(input: { config: ConfigValues; credentials: ProviderCredentials }): Promise<void> {
    const config = readConfig(input.config);
    if (config.action === 'Create')
      await this.ensureAudienceCapacity(token(input.credentials), config.advertiserId);
  }

  async getStatus(input: {
    config: ConfigValues;
    credentials: ProviderCredentials;
    references: readonly ProviderReference[];
  }): Promise<ExportStatus> {
    const config = readConfig(input.config);
    const audience = input.references.find((reference) => reference.kind === TIKTOK_AUDIENCE_REFERENCE);
    if (!audience)
      throw new PayloadValidationError('The export has no TikTok audience to follow yet.', {
        field: 'references',
      });
    return this.audienceStatus(token(input.credentials), config.advertiserId, audience.id);
  }

  private async audienceStatus(
    accessToken: string,
    advertiserId: string,
    audienceId: string,
  ): Promise<ExportStatus> {
    const [details] = await this.call(() =>
      this.client.getAudiences(accessToken, { advertiserId, audienceIds: [audienceId], historySize: 1 }),
    );
    return toExportStatus(details);
  }

  /** A TikTok call under the retry policy (see `ExportCalls`). */
  private call<T>(
    operation: (attempt: number) => Promise<T>,
    shouldRetry?: (error: unknown, attempt: number) => boolean,
  ): Promise<T> {
    return this.calls.call(operation, shouldRetry);
  }
}

// -------------------------------------------------------------------------------------------------

interface TikTokConfig {
  advertiserId: string;
  audienceName: string;
  action: TikTokAction;
  retentionInDays?: number;
  phoneHashFormat?: string;
}

/** The resolved config, typed. The domain validated it against TIKTOK_FIELDS; this guards the contract. */
function readConfig(config: ConfigValues): TikTokConfig {
  const { advertiserId, audienceName, action, retentionInDays, phoneHashFormat } = config;
  if (
    typeof advertiserId !== 'string' ||
    typeof audienceName !== 'string' ||
    (action !== 'Create' && action !== 'Append' && action !== 'Replace')
  ) {
    throw new PayloadValidationError(
      'The TikTok destination needs advertiserId, audienceName and action (Create, Append or Replace).',
      { field: 'config' },
    );
  }
  return {
    advertiserId,
    audienceName,
    action,
    retentionInDays: typeof retentionInDays === 'number' ? retentionInDays : undefined,
    phoneHashFormat: typeof phoneHashFormat === 'string' ? phoneHashFormat : undefined,
  };
}

function token(credentials: ProviderCredentials): string {
  const accessToken = credentials['accessToken'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new PayloadValidationError(
      'The authorization holds no TikTok access token; re-authorize the TikTok account.',
      { field: 'credentials' },
    );
  }
  return accessToken;
}

function isProviderCode(error: unknown, code: number): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { providerCode?: unknown }).providerCode === code
  );
}

/** TikTok refuses updates that would leave fewer than 1,000 users (40002): say so plainly. */
function explainUpdateRefusal(error: unknown, action: string, audienceId: string): unknown {
  if (error instanceof PayloadValidationError && /1,?000|minimum|too small|fewer/i.test(error.message)) {
    return new PayloadValidationError(
      `TikTok refused to ${action} audience ${audienceId}: the audience would hold fewer than 1,000 users, TikTok's minimum. ` +
        `Export a larger segment, or use Append instead of Replace. (${error.message})`,
      { field: 'config.action', providerCode: error.providerCode, requestId: error.requestId, cause: error },
    );
  }
  return error;
}

function uploadedMilestone(
  fileIndex: number,
  filePath: string,
  values: number,
  bytes: number,
): ExportMilestone {
  return {
    type: 'FILE_UPLOADED',
    message: `Uploaded file ${fileIndex} (${formatCount(values)} identifiers, ${formatCount(bytes)} bytes)`,
    data: { fileIndex, filePath, values, bytes },
  };
}

function waitingMilestone(update: TikTokUpdateAudienceInput, maxWaitMs: number): ExportMilestone {
  return {
    type: 'WAITING',
    message:
      `TikTok is still processing audience ${update.audienceId}, which takes it up to 48 h; ` +
      `waiting up to ${describeDuration(maxWaitMs)} to send ${fileCount(update.filePaths.length)} (${update.action})`,
    data: { audienceId: update.audienceId, action: update.action, files: update.filePaths.length, maxWaitMs },
  };
}

/** Retryable: a later run resumes from the checkpoint, with every file already uploaded. */
function stillProcessing(
  update: TikTokUpdateAudienceInput,
  maxWaitMs: number,
  retryAfterMs: number,
): RetryableError {
  return new RetryableError(
    `TikTok was still processing audience ${update.audienceId} after ${describeDuration(maxWaitMs)}, so ${fileCount(update.filePaths.length)} (${update.action}) could not be sent yet. ` +
      'Retry the export later: it resumes with them, without uploading anything again.',
    retryAfterMs,
  );
}

function fileCount(count: number): string {
  return count === 1 ? '1 file' : `${formatCount(count)} files`;
}

function uploadedLines(state: TikTokExportState): number {
  return state.files.reduce((total, file) => total + file.values, 0);
}
