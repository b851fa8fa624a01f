import type { ExportStatus, KeyType } from '@conduit/destinations-core';

/**
 * TikTok's `calculate_type` for a single SHA-256 key type, one name for the upload and the create.
 * Device ids are FIRST_SHA256: the upload's enum also lists MAID_SHA256 (the same TikTok value, 6),
 * but the create's enum does not, and refuses it with 40002.
 */
export const CALCULATE_TYPE: Readonly<Record<KeyType, string>> = {
  EMAIL: 'EMAIL_SHA256',
  PHONE: 'PHONE_SHA256',
  MAID: 'FIRST_SHA256',
};

/** MULTIPLE_TYPES header cell for a key type (TikTok matches header names case-insensitively). */
export const MULTIPLE_TYPES_HEADER: Readonly<Record<KeyType, string>> = {
  EMAIL: 'email_sha256',
  PHONE: 'phone_sha256',
  MAID: 'maid_sha256',
};

/** One calculate type per file when every mapped column holds the same key type, else MULTIPLE_TYPES. */
export function calculateTypeFor(keyTypes: readonly KeyType[]): string {
  const distinct = [...new Set(keyTypes)];
  return distinct.length === 1 ? CALCULATE_TYPE[distinct[0]] : 'MULTIPLE_TYPES';
}

/** TikTok reports no processing state: invalid + no error means still processing (up to 48 h). */
export function toExportStatus(details: {
  isValid: boolean;
  coverNum: number;
  message?: string;
  errorMessage?: string;
}): ExportStatus {
  if (details.isValid) return { state: 'READY', audienceSize: details.coverNum };
  if (details.errorMessage)
    return { state: 'FAILED', audienceSize: details.coverNum, message: details.errorMessage };
  return {
    state: 'PROCESSING',
    audienceSize: null,
    message: details.message || 'TikTok is processing the audience',
  };
}

/** TikTok's `YYYY-MM-DD HH:MM:SS` (UTC) to a Date. */
export function parseTikTokTime(value: string): Date {
  return new Date(`${value.replace(' ', 'T')}Z`);
}
