/** TikTok Marketing API return codes the emulator answers with (reference/tiktok-api.md). */
export enum TikTokCode {
  OK = 0,
  PARAM_ERROR = 40000,
  PARAM_INVALID = 40002,
  NO_PERMISSION = 40001,
  NOT_FOUND = 40007,
  TOO_MANY_IDS = 40011,
  TOO_MANY_REQUESTS = 40100,
  APP_CREDENTIALS_INVALID = 40101,
  ACCESS_TOKEN_EXPIRED = 40102,
  ACCESS_TOKEN_EMPTY = 40104,
  ACCESS_TOKEN_INVALID = 40105,
  ACCESS_TOKEN_ADVERTISER_MISMATCH = 40106,
  AUTH_CODE_INVALID = 40110,
  WRITE_CONFLICT = 40202,
  FILE_SIGNATURE_MISMATCH = 40900,
  FILE_MISSING = 40905,
  FILE_EMPTY = 40906,
  FILE_TOO_LARGE = 40907,
  FILE_TYPE_INVALID = 40908,
  FILE_EXPIRED = 40909,
  FILE_CONTENT_INVALID = 40915,
  SYSTEM_ERROR = 50000,
  PROCESSING_ERROR = 50002,
  MAINTENANCE = 60001,
}

/** TikTok's wording per code, for faults that answer a code without a reason of the emulator's own. */
export const TIKTOK_MESSAGES: Readonly<Record<number, string>> = {
  [TikTokCode.PARAM_ERROR]: 'Parameter error.',
  [TikTokCode.NO_PERMISSION]: 'No permission to operate this advertiser. Please check your role and scope.',
  [TikTokCode.PARAM_INVALID]: 'file: the file content is invalid for the calculate_type.',
  [TikTokCode.NOT_FOUND]: 'The object does not exist.',
  [TikTokCode.TOO_MANY_IDS]: 'Too many ids in one request.',
  [TikTokCode.TOO_MANY_REQUESTS]: 'Too many requests. Please retry in some time.',
  [TikTokCode.APP_CREDENTIALS_INVALID]: 'The app_id or secret is incorrect.',
  [TikTokCode.ACCESS_TOKEN_EXPIRED]: 'Access token has expired.',
  [TikTokCode.ACCESS_TOKEN_EMPTY]: 'Access token is null. Please provide the Access-Token header.',
  [TikTokCode.ACCESS_TOKEN_INVALID]: 'Access token is incorrect or has been revoked.',
  [TikTokCode.ACCESS_TOKEN_ADVERTISER_MISMATCH]: 'Access token does not match the advertiser.',
  [TikTokCode.AUTH_CODE_INVALID]: 'auth_code is invalid.',
  [TikTokCode.WRITE_CONFLICT]: 'Write conflict. Please try again.',
  [TikTokCode.FILE_SIGNATURE_MISMATCH]: 'file_signature does not match the MD5 of the uploaded file.',
  [TikTokCode.FILE_MISSING]: 'The file does not exist.',
  [TikTokCode.FILE_EMPTY]: 'file: the file is empty.',
  [TikTokCode.FILE_TOO_LARGE]: 'file: the file is too large.',
  [TikTokCode.FILE_TYPE_INVALID]: 'file: only .csv and .txt files are supported.',
  [TikTokCode.FILE_EXPIRED]: 'The file has expired. Please upload it again.',
  [TikTokCode.FILE_CONTENT_INVALID]: 'file: the file is invalid.',
  [TikTokCode.SYSTEM_ERROR]: 'System error, please try again later.',
  [TikTokCode.PROCESSING_ERROR]: 'Processing error, please try again later.',
  [TikTokCode.MAINTENANCE]: 'The service is under maintenance. Please try again later.',
};

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
