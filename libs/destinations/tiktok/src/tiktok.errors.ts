import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderApiError,
  RateLimitedError,
  RetryableError,
  type DestinationError,
} from '@conduit/destinations-core';

/** What TikTok said: the envelope's `code` and `message`, and its `request_id` for TikTok support. */
export interface TikTokErrorResponse {
  code: number;
  message: string;
  requestId?: string;
  /** The call TikTok answered (`POST dmp/custom_audience/file/upload/`): some codes mean more on one. */
  endpoint?: string;
}

/** TikTok sends no Retry-After: a QPS hit clears within the second. */
export const TIKTOK_RATE_LIMIT_RETRY_MS = 1000;
/** System errors and maintenance: back off longer than for a throttle. */
export const TIKTOK_SYSTEM_ERROR_RETRY_MS = 5000;
/** Write conflicts and signature mismatches: a prompt retry usually succeeds. */
export const TIKTOK_CONFLICT_RETRY_MS = 1000;

const FILE_HINTS: Readonly<Record<number, string>> = {
  40905: 'the file_path is unknown or has expired: upload the file again',
  40906: 'the file is empty: send at least one identifier',
  40907: 'the file is larger than TikTok allows (250 MB): split it',
  40908: 'TikTok accepts .csv and .txt files only',
};

/**
 * Maps a non-zero TikTok `code` to the destination error taxonomy (reference/tiktok-api.md, "Limits
 * and error codes"). Messages quote TikTok's code and message and say what to do; TikTok's code and
 * request id are kept as `providerCode` and `requestId`.
 */
export function mapTikTokError({
  code,
  message,
  requestId,
  endpoint,
}: TikTokErrorResponse): DestinationError {
  const said = `(${code}: ${message.trim() || 'no message'})`;
  const options = { providerCode: code, requestId };
  const upload = endpoint?.includes('file/upload/') === true;
  switch (code) {
    case 40000:
    case 40002:
      if (upload)
        return new PayloadValidationError(
          `TikTok refused the customer file ${said}; check that the export's key columns, their key types ` +
            'and encodings (raw or SHA-256) match the data, then retry the export.',
          { ...options, field: 'file' },
        );
      return new PayloadValidationError(
        `TikTok rejected the request ${said}; fix the destination settings or the data sent. ` +
          'TikTok also answers this while an audience is still processing or has no matched users.',
        { ...options, field: fieldOf(message) },
      );
    case 40001:
      return new InvalidCredentialsError(
        `TikTok denied permission ${said}; re-authorize the TikTok account with a user who is ` +
          'Ad Account Operator or Admin of the advertiser.',
        options,
      );
    case 40007:
      return new ProviderApiError(
        `The TikTok object does not exist ${said}; it may have been deleted in TikTok: check the advertiser and audience ids.`,
        false,
        options,
      );
    case 40011:
      return new ProviderApiError(
        `Too many ids in one TikTok request ${said}; send fewer ids per request.`,
        false,
        options,
      );
    case 40016:
    case 40100:
    case 40133:
      return new RateLimitedError(
        `TikTok's rate limit was reached ${said}; retrying after a pause.`,
        TIKTOK_RATE_LIMIT_RETRY_MS,
        options,
      );
    case 40101:
      return new ProviderApiError(
        `TikTok rejected the developer app credentials ${said}; check the TikTok app id and secret ` +
          "against the app's settings in the TikTok for Business developer portal.",
        false,
        options,
      );
    case 40102:
    case 40104:
    case 40105:
    case 40106:
      return new InvalidCredentialsError(
        `TikTok refused the access token ${said}; re-authorize the TikTok account.`,
        options,
      );
    case 40110:
      return new InvalidCredentialsError(
        `TikTok refused the authorization code ${said}: it is invalid, already used or expired; ` +
          'start the TikTok authorization again.',
        options,
      );
    case 40202:
      return new RetryableError(
        `TikTok reported a write conflict ${said}; retrying.`,
        TIKTOK_CONFLICT_RETRY_MS,
        options,
      );
    case 40900:
      return new RetryableError(
        `TikTok found that the file signature does not match the uploaded file ${said}; retry the upload.`,
        TIKTOK_CONFLICT_RETRY_MS,
        options,
      );
    case 50000:
    case 50002:
    case 60001:
      return new RetryableError(
        `TikTok is ${code === 60001 ? 'under maintenance' : 'having a system error'} ${said}; retrying with backoff.`,
        TIKTOK_SYSTEM_ERROR_RETRY_MS,
        options,
      );
  }
  if (code >= 40905 && code <= 40915) {
    const hint =
      FILE_HINTS[code] ??
      'check the file (not empty, at most 250 MB, .csv or .txt, one valid identifier per line)';
    return new PayloadValidationError(`TikTok refused the customer file ${said}; ${hint}.`, {
      ...options,
      field: 'file',
    });
  }
  // Unknown codes are not retried: repeating a request TikTok refused for an unknown reason rarely helps.
  return new ProviderApiError(
    `TikTok refused the request ${said}; quote the request id to TikTok support.`,
    false,
    options,
  );
}

/** TikTok names the offending parameter first (`custom_audience_name: length must be ...`). */
function fieldOf(message: string): string | undefined {
  return /^\s*([a-z][a-z0-9_.]*)\s*:/.exec(message)?.[1];
}
