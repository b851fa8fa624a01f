import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderApiError,
  ProviderLimitError,
  RateLimitedError,
  RetryableError,
  type DestinationError,
} from '@conduit/destinations-core';
import { customAudienceTermsUrl, GraphCode, GraphSubcode } from '@conduit/destinations-meta-wire';

/** What Graph said (its error envelope, reference §2.2), and where. */
export interface GraphErrorResponse {
  code: number;
  subcode?: number;
  /** Graph's message, already scrubbed of credentials. */
  message: string;
  /** `error_user_msg`: Meta's explanation for a person (e.g. the terms' link). */
  userMessage?: string;
  isTransient?: boolean;
  /** `fbtrace_id`, for Meta support. */
  traceId?: string;
  /** `POST act_123/customaudiences`: the call Graph answered. */
  endpoint: string;
  /** The ad account the call concerns, when known: named in the terms' link. */
  adAccountId?: string;
  /** How long Meta's usage headers say to wait before calling again (a throttle), when they say. */
  regainAccessMs?: number;
}

/** Meta sends no Retry-After (reference §7): the ad-account score decays over 5 minutes; wait a minute at least. */
export const META_THROTTLE_RETRY_MS = 60_000;
/** Codes 1 and 2, 5xx: Meta's own advice is to retry later. */
export const META_TRANSIENT_RETRY_MS = 5_000;
/** A replace running on the audience (2650/1870145): look again after this long. */
export const META_BUSY_RETRY_MS = 30_000;

/** Throttle codes (reference §7): app (4), user or ad account (17), custom (613), business use cases (8000x), 341. */
const THROTTLE_CODES: ReadonlySet<number> = new Set([
  GraphCode.APP_THROTTLED,
  GraphCode.USER_THROTTLED,
  32,
  341,
  613,
  80000,
  GraphCode.CUSTOM_AUDIENCE_THROTTLED,
  80004,
  80014,
]);

/** Terms-of-service refusals (reference §8): 200/1870090, 2663, 2664 (corporate terms), 2655. */
const TERMS_CODES: ReadonlySet<number> = new Set([GraphCode.AUDIENCE_TERMS_NOT_ACCEPTED, 2664, 2655]);

/** Why a token died, from the 190 subcode (reference §1.7). */
const TOKEN_REASONS: Readonly<Record<number, string>> = {
  [GraphSubcode.TOKEN_EXPIRED]: 'the Meta access token has expired (Meta user tokens last about 60 days)',
  [GraphSubcode.APP_NOT_AUTHORIZED]: 'the person who connected the account removed the app’s access',
  [GraphSubcode.PASSWORD_CHANGED]: 'the person who connected the account changed their Facebook password',
  459: 'Facebook has checkpointed the person who connected the account (they must log in on facebook.com)',
  464: 'the person who connected the account has not confirmed their Facebook account',
};

/**
 * The providerCode an error carries: Graph's `code`, or `code/subcode` when a subcode says more
 * (`2650/1870145`), so callers and logs can tell one refusal from another.
 */
export function graphProviderCode(code: number, subcode?: number): string | number {
  return subcode === undefined ? code : `${code}/${subcode}`;
}

/** Whether an error is Graph's `code` (and `subcode`, when given). */
export function isGraphError(error: unknown, code: number, subcode?: number): boolean {
  const providerCode = (error as { providerCode?: unknown } | null)?.providerCode;
  if (subcode !== undefined) return providerCode === `${code}/${subcode}`;
  return providerCode === code || (typeof providerCode === 'string' && providerCode.startsWith(`${code}/`));
}

/**
 * Maps Graph's error envelope to the destination error taxonomy, on `code` and `error_subcode`
 * (never the HTTP status, which Meta does not fix per code). Messages quote Meta's code and message
 * and say what to do; `providerCode` keeps `code/subcode` and `requestId` the fbtrace_id.
 */
export function mapGraphError(error: GraphErrorResponse): DestinationError {
  const { code, subcode, endpoint } = error;
  const said = `(${code}${subcode === undefined ? '' : `/${subcode}`}: ${error.message.trim() || 'no message'})`;
  const options = { providerCode: graphProviderCode(code, subcode), requestId: error.traceId };

  if (code === GraphCode.TOKEN_INVALID || code === 102) {
    const reason =
      (subcode === undefined ? undefined : TOKEN_REASONS[subcode]) ??
      'Meta no longer accepts the access token';
    return new InvalidCredentialsError(
      `${capitalize(reason)} ${said}; reconnect the Meta Ads authorization (log in with Facebook again).`,
      options,
    );
  }
  if (THROTTLE_CODES.has(code)) {
    const waitMs = Math.max(error.regainAccessMs ?? 0, META_THROTTLE_RETRY_MS);
    return new RateLimitedError(
      `Meta throttled ${endpoint} ${said}; backing off ${Math.round(waitMs / 1000)} s before trying again.`,
      waitMs,
      options,
    );
  }
  if (TERMS_CODES.has(code) || (code === GraphCode.PERMISSION && subcode === GraphSubcode.TERMS_NOT_ACCEPTED))
    return termsNotAccepted(error.adAccountId, options);
  if (code === GraphCode.AUDIENCE_CREATE_FAILED)
    return new ProviderLimitError(
      `Meta refused to create the custom audience ${said}. An ad account holds at most 500 customer-list ` +
        'audiences: delete unused ones in Meta Ads Manager, or Append / Replace an existing audience instead of Create.',
      'audiencesPerAccount',
      options,
    );
  if (code === GraphCode.AUDIENCE_UPDATE_FAILED) return audienceUpdateFailed(error, said, options);
  if (code === GraphCode.UNKNOWN || code === GraphCode.SERVICE_UNAVAILABLE || error.isTransient === true)
    return new RetryableError(
      `Meta failed on ${endpoint} ${said}; retrying with backoff.`,
      META_TRANSIENT_RETRY_MS,
      options,
    );
  if (code === GraphCode.INVALID_PARAMETER && subcode === GraphSubcode.OBJECT_NOT_FOUND)
    return new ProviderApiError(
      `Meta has no object for ${endpoint} that this account can see ${said}: the audience may have been deleted in Meta, ` +
        'or the ad account is not one the authorization grants.',
      false,
      options,
    );
  if (
    code === GraphCode.INVALID_PARAMETER ||
    code === GraphCode.TOO_MANY_PARAMETERS ||
    code === GraphCode.MISSING_PARAMETER
  )
    return new PayloadValidationError(
      `Meta refused the parameters of ${endpoint} ${said}; check the destination's settings and the mapped columns.`,
      { ...options, field: fieldOf(error.message) },
    );
  if (code === GraphCode.MISSING_ADS_MANAGEMENT || code === 10)
    return new InvalidCredentialsError(
      `Meta says the authorization lacks a permission ${said}; reconnect the Meta Ads authorization and grant ads_management.`,
      options,
    );
  if (code === GraphCode.PERMISSION || code === 270)
    return new ProviderApiError(
      `Meta refused ${endpoint} for lack of a role ${said}; the person who connected the account needs the Advertiser ` +
        'or Admin role on the ad account (and on the app, while it is in development).',
      false,
      options,
    );
  if (code === GraphCode.DEPRECATED_VERSION)
    return new ProviderApiError(
      `Meta no longer serves this Graph API version ${said}; configure a current version (graphVersion).`,
      false,
      options,
    );
  if (code === GraphCode.POLICY_BLOCKED)
    return new ProviderApiError(
      `Meta blocked the call for a policy reason ${said}; see the ad account's notices in Meta Business Suite.`,
      false,
      options,
    );
  if (code === 1487301 || code === 1487366)
    return new ProviderApiError(
      `The Meta audience is unavailable ${said}: deleted, or not shared with this ad account.`,
      false,
      options,
    );
  // Unknown codes are not retried: repeating a call Meta refused for an unknown reason rarely helps.
  return new ProviderApiError(
    `Meta refused ${endpoint} ${said}; quote the fbtrace_id to Meta support.`,
    false,
    options,
  );
}

/**
 * The ad account's custom-audience terms are not accepted: nothing can be created or changed until a
 * person accepts them. A ProviderLimitError, so the export is refused before it is queued (4xx).
 */
export function termsNotAccepted(
  adAccountId: string | undefined,
  options: { providerCode?: string | number; requestId?: string } = {},
): ProviderLimitError {
  const where = adAccountId
    ? `at ${customAudienceTermsUrl(adAccountId)}`
    : 'at https://business.facebook.com/ads/manage/customaudiences/tos/ (from inside the ad account)';
  return new ProviderLimitError(
    `The Custom Audience Terms of Meta ad account ${adAccountId ?? '(unknown)'} are not accepted, so Meta refuses to create or ` +
      `change its customer-list audiences. A person with a role on the ad account must accept them ${where}, then run the export again.`,
    'customAudienceTerms',
    options,
  );
}

function audienceUpdateFailed(
  error: GraphErrorResponse,
  said: string,
  options: { providerCode: string | number; requestId?: string },
): DestinationError {
  switch (error.subcode) {
    case GraphSubcode.AUDIENCE_UPDATE_IN_PROGRESS:
      return new RetryableError(
        `Another replace is running on the Meta audience ${said}; Meta takes one at a time, so waiting for it to finish.`,
        META_BUSY_RETRY_MS,
        options,
      );
    case GraphSubcode.REPLACE_SESSION_TIMED_OUT:
      return new ProviderApiError(
        `Meta ended the replace session 90 minutes after its first batch ${said}; the replace must start again from its first batch.`,
        false,
        options,
      );
    case GraphSubcode.REPLACE_SIZE_NOT_SUPPORTED:
      return new ProviderLimitError(
        `Meta replaces audiences of fewer than 100 million people only ${said}; use Append, or Create a new audience.`,
        'replaceSize',
        options,
      );
    default:
      return new ProviderApiError(`Meta could not update the custom audience ${said}.`, false, options);
  }
}

/** Graph names the parameter in most 100s: `The parameter session is required`, `param name must be …`. */
function fieldOf(message: string): string | undefined {
  const match = /\bparam(?:eter)?\s+([a-z_][a-z0-9_.]*)/i.exec(message);
  return match?.[1];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
