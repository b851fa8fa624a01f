/** Identifier encodings of customer files (TikTok's `calculate_type`). */
export const SINGLE_CALCULATE_TYPES = [
  'EMAIL_SHA256',
  'PHONE_SHA256',
  'IDFA_SHA256',
  'GAID_SHA256',
  'MAID_SHA256',
  'FIRST_SHA256',
  'IDFA_MD5',
  'GAID_MD5',
  'MAID_MD5',
  'FIRST_MD5',
] as const;
export type SingleCalculateType = (typeof SINGLE_CALCULATE_TYPES)[number];
export type CalculateType = SingleCalculateType | 'MULTIPLE_TYPES';

/** Bytes of one identifier of the type: SHA-256 → 32, MD5 → 16. */
export function identifierWidth(type: SingleCalculateType): number {
  return type.endsWith('_SHA256') ? 32 : 16;
}

export function isSingleCalculateType(value: string): value is SingleCalculateType {
  return (SINGLE_CALCULATE_TYPES as readonly string[]).includes(value);
}

/** MULTIPLE_TYPES header cell (case-insensitive, e.g. `email_SHA256`) → type. */
export function headerType(cell: string): SingleCalculateType | undefined {
  const upper = cell.trim().toUpperCase();
  return isSingleCalculateType(upper) ? upper : undefined;
}
