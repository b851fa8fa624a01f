/** TikTok Marketing API return codes the emulator answers with (reference/tiktok-api.md). */
export enum TikTokCode {
  OK = 0,
  PARAM_INVALID = 40002,
  NO_PERMISSION = 40001,
  NOT_FOUND = 40007,
  TOO_MANY_REQUESTS = 40100,
  APP_CREDENTIALS_INVALID = 40101,
  ACCESS_TOKEN_EMPTY = 40104,
  ACCESS_TOKEN_INVALID = 40105,
  AUTH_CODE_INVALID = 40110,
  FILE_SIGNATURE_MISMATCH = 40900,
  FILE_MISSING = 40905,
  FILE_EMPTY = 40906,
  FILE_TOO_LARGE = 40907,
  FILE_TYPE_INVALID = 40908,
  FILE_CONTENT_INVALID = 40915,
  SYSTEM_ERROR = 50000,
}

/** An API-level failure: answered as HTTP 200 with a non-zero `code`, as TikTok does. */
export class TikTokApiError extends Error {
  constructor(
    readonly code: TikTokCode,
    message: string,
  ) {
    super(message);
    this.name = 'TikTokApiError';
  }
}

export const fail = (code: TikTokCode, message: string): never => {
  throw new TikTokApiError(code, message);
};
