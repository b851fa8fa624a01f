/**
 * Graph error codes and subcodes a Meta connector classifies on (reference §1.7, §2.3, §4.6, §7, §8),
 * shared by the emulator (what it answers) and the connector (what it retries, what needs a person).
 */
export enum GraphCode {
  UNKNOWN = 1,
  SERVICE_UNAVAILABLE = 2,
  APP_THROTTLED = 4,
  USER_THROTTLED = 17,
  INVALID_PARAMETER = 100,
  TOO_MANY_PARAMETERS = 105,
  TOKEN_INVALID = 190,
  MISSING_PARAMETER = 194,
  PERMISSION = 200,
  MISSING_ADS_MANAGEMENT = 294,
  POLICY_BLOCKED = 368,
  UNKNOWN_PATH = 2500,
  DEPRECATED_VERSION = 2635,
  AUDIENCE_UPDATE_FAILED = 2650,
  AUDIENCE_CREATE_FAILED = 2654,
  AUDIENCE_TERMS_NOT_ACCEPTED = 2663,
  CUSTOM_AUDIENCE_THROTTLED = 80003,
}

export enum GraphSubcode {
  /** code 100: the object does not exist, is not visible, or does not support the operation. */
  OBJECT_NOT_FOUND = 33,
  /** code 100: the code exchange's redirect_uri differs from the dialog's. */
  REDIRECT_URI_MISMATCH = 36008,
  /** code 190 */
  APP_NOT_AUTHORIZED = 458,
  PASSWORD_CHANGED = 460,
  TOKEN_EXPIRED = 463,
  TOKEN_INVALID = 467,
  /** code 80003 / 17 */
  RATE_LIMIT = 2446079,
  /** code 200 */
  TERMS_NOT_ACCEPTED = 1870090,
  /** code 2650 on /usersreplace */
  REPLACE_SIZE_NOT_SUPPORTED = 1870144,
  AUDIENCE_UPDATE_IN_PROGRESS = 1870145,
  INVALID_REPLACE_BATCH = 1870147,
  REPLACE_FAILED = 1870148,
  REPLACE_SESSION_TIMED_OUT = 1870158,
  REPLACE_SESSION_FINISHED = 1870159,
}
