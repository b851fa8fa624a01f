/**
 * The error taxonomy every provider throws (never a bare Error). Each class says whether the failed
 * operation may be retried, so the export runner needs no provider-specific knowledge.
 */
export type DestinationErrorKind =
  | 'RETRYABLE'
  | 'RATE_LIMITED'
  | 'INVALID_CREDENTIALS'
  | 'PAYLOAD_VALIDATION'
  | 'PROVIDER_LIMIT'
  | 'PROVIDER_API';

export interface DestinationErrorOptions {
  /** The provider's own code (e.g. TikTok's 40105), kept for support and logs. */
  providerCode?: string | number;
  /** The provider's request id, to quote to the provider's support. */
  requestId?: string;
  cause?: unknown;
}

export abstract class DestinationError extends Error {
  abstract readonly kind: DestinationErrorKind;
  abstract readonly retryable: boolean;
  readonly providerCode?: string | number;
  readonly requestId?: string;

  protected constructor(message: string, options: DestinationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.providerCode = options.providerCode;
    this.requestId = options.requestId;
  }

  /** A log- and API-safe summary: never credentials, always the provider's code and request id. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      retryable: this.retryable,
      message: this.message,
      ...(this.providerCode === undefined ? {} : { providerCode: this.providerCode }),
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
    };
  }
}

/** A transient failure (timeouts, 5xx, provider maintenance): retry after `retryAfterMs`. */
export class RetryableError extends DestinationError {
  readonly kind: DestinationErrorKind = 'RETRYABLE';
  readonly retryable = true;

  constructor(
    message: string,
    readonly retryAfterMs = 1000,
    options: DestinationErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The provider throttled us: slow down, then retry. */
export class RateLimitedError extends RetryableError {
  override readonly kind: DestinationErrorKind = 'RATE_LIMITED';

  constructor(message: string, retryAfterMs = 1000, options: DestinationErrorOptions = {}) {
    super(message, retryAfterMs, options);
  }
}

/** The credentials are invalid, expired or revoked: the authorization must be renewed. Never retried. */
export class InvalidCredentialsError extends DestinationError {
  readonly kind: DestinationErrorKind = 'INVALID_CREDENTIALS';
  readonly retryable = false;

  constructor(message: string, options: DestinationErrorOptions = {}) {
    super(message, options);
  }
}

/** The data or configuration sent is not acceptable: fix it, retrying changes nothing. */
export class PayloadValidationError extends DestinationError {
  readonly kind: DestinationErrorKind = 'PAYLOAD_VALIDATION';
  readonly retryable = false;

  constructor(message: string, options: DestinationErrorOptions & { field?: string } = {}) {
    super(message, options);
    this.field = options.field;
  }

  readonly field?: string;
}

/** A provider quota or limit stands in the way (e.g. TikTok's 400 audiences per advertiser). */
export class ProviderLimitError extends DestinationError {
  readonly kind: DestinationErrorKind = 'PROVIDER_LIMIT';
  readonly retryable = false;

  constructor(
    message: string,
    readonly limit: string,
    options: DestinationErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Any other provider failure; `retryable` says whether trying again can help (e.g. a garbled answer). */
export class ProviderApiError extends DestinationError {
  readonly kind: DestinationErrorKind = 'PROVIDER_API';

  constructor(
    message: string,
    readonly retryable: boolean,
    options: DestinationErrorOptions = {},
  ) {
    super(message, options);
  }
}

export function isDestinationError(error: unknown): error is DestinationError {
  return error instanceof DestinationError;
}
