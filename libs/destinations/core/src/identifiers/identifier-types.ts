/** Activation keys a segment column can hold. */
export const KEY_TYPES = ['EMAIL', 'PHONE', 'MAID'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** How a column's values arrive: raw (we normalize and hash) or already SHA-256 hashed. */
export const KEY_ENCODINGS = ['RAW', 'SHA256'] as const;
export type KeyEncoding = (typeof KEY_ENCODINGS)[number];

/** Why a value was rejected (counted per reason in an export; one bad value never fails an export). */
export const REJECTION_REASONS = [
  'EMPTY', // nothing after trimming
  'MALFORMED', // not an email / phone number / mobile ad id
  'TOO_LONG', // longer than the key allows (e.g. a phone number over 15 digits)
  'NOT_HASHED', // declared SHA256 but not 64 hex characters
  'LOOKS_HASHED', // declared RAW but is a 64-hex digest
  'MULTI_VALUE', // a list where one value is expected
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface NormalizeOptions {
  /** ISO 3166 region for phone numbers written without a country code, e.g. `US`. */
  defaultPhoneRegion?: string;
  /** Hash phones as `+14155552671` (true, the default, as TikTok's API doc says) or `14155552671`. */
  phoneHashIncludesPlus?: boolean;
  /**
   * Key types kept as normalized text besides their digest: the provider receives them unhashed (Meta
   * takes MADID as the lowercase id itself). Their values are normalized, validated and hashed as any
   * other (an export dedupes on digests); `HashedIdentifiers.plain` gives the text. A SHA256 column of
   * such a type has no text to give, and is refused.
   */
  plainKeyTypes?: readonly KeyType[];
}

export type NormalizedIdentifier =
  | { ok: true; /** lowercase SHA-256 hex */ hash: string }
  | { ok: false; reason: RejectionReason };

/** What a per-type normalizer returns: the canonical string to hash, or why there is none. */
export type Normalized = { ok: true; value: string } | { ok: false; reason: RejectionReason };
