import type { NormalizeOptions } from '../identifiers/identifier-types';
import type { KeyEncoding, KeyType, RejectionReason } from '../identifiers/identifier-types';
import type { ConfigValues, FieldDefinition } from '../schema/field-schema';

/** Provider credentials as the provider defines them (e.g. `{ accessToken }`); stored encrypted by the domain. */
export type ProviderCredentials = Readonly<Record<string, string>>;

/** An account on the provider's side that an authorization grants (e.g. a TikTok advertiser). */
export interface ExternalAccount {
  id: string;
  name: string;
}

/**
 * OAuth 2.0 as the provider runs it, so the domain can connect accounts for any provider. The
 * provider's own app settings (client id, secret) are given to its constructor, never per call.
 */
export interface OAuthAuthorization {
  /** Query parameter of the callback that carries the code (standard `code`; TikTok: `auth_code`). */
  readonly callbackCodeParameter: string;
  /**
   * The redirect URI registered with the provider's app, when it is not this API's own callback route
   * (`PUBLIC_URL/oauth/callback/<provider>`): a deployment setting, e.g. behind a proxy.
   */
  readonly redirectUri?: string;
  buildAuthorizeUrl(input: { state: string; redirectUri: string }): string;
  exchangeCode(input: {
    code: string;
    redirectUri: string;
  }): Promise<{ credentials: ProviderCredentials; accounts: ExternalAccount[] }>;
  listAccounts(credentials: ProviderCredentials): Promise<ExternalAccount[]>;
  revoke(credentials: ProviderCredentials): Promise<void>;
  /** Resolves with the current accounts when the credentials work; throws InvalidCredentialsError when not. */
  checkHealth(credentials: ProviderCredentials): Promise<{ accounts: ExternalAccount[] }>;
}

/** Which activation keys the provider takes. */
export interface ActivationKeySupport {
  types: readonly KeyType[];
  encodings: readonly KeyEncoding[];
  /**
   * Key types the provider receives as normalized text, never hashed (Meta: MAID); only RAW columns
   * can be mapped to them. Its export hands them to the hashing as `NormalizeOptions.plainKeyTypes`
   * (their digests still dedupe; `HashedIdentifiers.plain` gives the texts to send).
   */
  plainTypes?: readonly KeyType[];
  /** Mapped key columns an export needs at least. */
  minKeys: number;
}

export interface ProviderLimits {
  audiencesPerAccount: number;
  minAudienceSize: number;
  maxFileBytes: number;
  requestsPerSecond: number;
  requestsPerMinute: number;
  /** How long the provider may take to process an upload. */
  processingTimeMs: number;
}

/** A segment column mapped to an activation key. */
export interface KeyMapping {
  column: string;
  keyType: KeyType;
  encoding: KeyEncoding;
}

export type SegmentRow = Readonly<Record<string, unknown>>;

export interface ExportCounts {
  /** Rows read from the segment. */
  read: number;
  /** Key values that normalized and hashed. */
  valid: number;
  /** Key values rejected, by reason. */
  invalid: Partial<Record<RejectionReason, number>>;
  /** Valid values dropped because they were already sent in this export. */
  duplicates: number;
  /** Distinct values accepted by the provider (on a dry run: that would be sent). */
  uploaded: number;
  /** Files (or batches) and bytes sent, or that a dry run would send. */
  files?: number;
  bytes?: number;
  /** The same counts per key type, for exports that map several. */
  byKeyType?: Partial<Record<KeyType, KeyTypeCounts>>;
}

export interface KeyTypeCounts {
  valid: number;
  invalid: Partial<Record<RejectionReason, number>>;
  duplicates: number;
  /** The first few rejected values of each reason, masked (`maskIdentifier`): the pattern, not the value. */
  invalidExamples?: Partial<Record<RejectionReason, string[]>>;
}

/** Something the export created or used on the provider's side (an audience, a file). */
export interface ProviderReference {
  kind: string;
  id: string;
  name?: string;
}

/** Provider-owned progress, stored durably by the domain and handed back on resume. JSON only. */
export interface ExportCheckpoint {
  version: number;
  state: Readonly<Record<string, unknown>>;
}

export interface ExportRequest {
  /** Stable id of the export (idempotency, temporary file names). */
  exportId: string;
  /** Opens the segment from its first row; called again on resume. */
  rows: () => AsyncIterable<SegmentRow>;
  /**
   * The same rows in batches, as the segment store reads them: for providers that process rows in
   * bulk. Optional; `rowBatchesOf(request)` falls back to grouping `rows()`.
   */
  rowBatches?: () => AsyncIterable<readonly SegmentRow[]>;
  /**
   * The same rows unparsed, as the segment store keeps them: NDJSON (UTF-8, one JSON object per line),
   * chunks of whole lines. Optional: for providers that parse off the main thread
   * (`IdentifierHasher.hashRows`); a chunk handed over may be moved to another thread.
   */
  rowsNdjson?: () => AsyncIterable<Uint8Array>;
  /** Rows the segment holds, when known: lets a provider size what it keeps per row up front. */
  totalRows?: number;
  mapping: readonly KeyMapping[];
  /** Config values, validated and resolved (defaults applied, runtime variables merged). */
  config: ConfigValues;
  credentials: ProviderCredentials;
  /** The last checkpoint of an interrupted run of this export. */
  checkpoint?: ExportCheckpoint | null;
  /** References recorded by the previous export to this destination (e.g. the audience it created). */
  previousReferences?: readonly ProviderReference[];
  normalize?: NormalizeOptions;
  signal?: AbortSignal;
  /**
   * The whole pipeline without sending: rows read, normalized, validated, hashed, deduplicated and cut
   * into files, but nothing uploaded and no audience touched. The result counts what would be sent.
   */
  dryRun?: boolean;
}

/**
 * A step of the export a person would want in its log, in the provider's words: a file accepted, the
 * audience created or updated, a wait for the provider, a retry and why. Not for every row.
 */
export interface ExportMilestone {
  type: 'FILE_UPLOADED' | 'AUDIENCE_CREATED' | 'AUDIENCE_UPDATED' | 'WAITING' | 'RETRYING';
  message: string;
  data?: Readonly<Record<string, unknown>>;
}

export interface ExportReporter {
  /** Records progress durably; the provider waits for it before doing anything it must not repeat. */
  checkpoint(checkpoint: ExportCheckpoint): Promise<void>;
  progress?(counts: ExportCounts): void;
  /** Appends a step to the export's log; best effort, never awaited by the provider. */
  milestone?(milestone: ExportMilestone): void;
}

export interface ExportResult {
  counts: ExportCounts;
  references: ProviderReference[];
}

export type ProviderProcessingState = 'PROCESSING' | 'READY' | 'FAILED';

export interface ExportStatus {
  state: ProviderProcessingState;
  /** Matched size on the provider's side, when known. */
  audienceSize: number | null;
  message?: string;
}

/** What every destination provider implements. Providers are stateless: everything per tenant comes in per call. */
export interface DestinationProvider {
  /** Stable id, kebab-case (e.g. `tiktok`). */
  readonly id: string;
  readonly displayName: string;
  readonly documentationUrl: string;
  readonly authorization: OAuthAuthorization;
  readonly fields: readonly FieldDefinition[];
  readonly keys: ActivationKeySupport;
  readonly limits: ProviderLimits;
  /** Create / append / replace, resumable from `request.checkpoint` without re-sending accepted data. */
  export(request: ExportRequest, reporter: ExportReporter): Promise<ExportResult>;
  /**
   * Checks, before an export is queued, what only the provider can tell (e.g. TikTok's 400 audiences
   * per advertiser for a Create): throws `ProviderLimitError` or `InvalidCredentialsError` to refuse.
   * Optional; an unavailable provider here does not refuse the export (its run checks again).
   */
  preflight?(input: { config: ConfigValues; credentials: ProviderCredentials }): Promise<void>;
  /** Follows the provider-side processing of what an export sent. */
  getStatus(input: {
    config: ConfigValues;
    credentials: ProviderCredentials;
    references: readonly ProviderReference[];
  }): Promise<ExportStatus>;
}
