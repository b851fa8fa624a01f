import type { SegmentRow } from '@conduit/segment-store';

/** An `@` between two visible characters: an email address, whatever else the cell says. */
const EMAIL_LIKE = /[^\s@]@[^\s@]/;
/**
 * Seven digits or more, at most one separator between two of them: a phone number (E.164 has 8 to
 * 15), and as well an account or card number or an IP address, which deserve the same care.
 */
const DIGIT_RUN = /\d(?:[\s\-.()/]?\d){6,}/;
/** A mobile ad id (IDFA, GAID): a UUID, with or without its dashes. */
const UUID_LIKE = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
/**
 * 32 characters or more of a digest's or a token's alphabet (hex, base64, base64url): with a digit
 * among them, an MD5, SHA-1 or SHA-256 in any encoding, or an access token. Words are never this long.
 * Global, and each run tested for a digit apart: one linear scan, whatever the cell's length.
 */
const TOKEN_RUN = /[A-Za-z0-9+/=_-]+/g;
const TOKEN_MIN_LENGTH = 32;
const DIGIT = /\d/;
/**
 * Dates and times (ISO 8601, as SQL sources give them) are digit runs that identify nobody: they
 * are taken out before the digit test.
 */
const DATE_TIME = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g;

/**
 * Whether a cell of a non-key column holds (anywhere in it) something that identifies a person the
 * way an activation key does: an email address, a phone-like digit run, a mobile ad id, a hash.
 */
export function looksLikeIdentifier(value: string): boolean {
  if (EMAIL_LIKE.test(value) || UUID_LIKE.test(value)) return true;
  // `+` then a length test: a counted `{32,}` is many times slower on a long run.
  for (const [run] of value.matchAll(TOKEN_RUN))
    if (run.length >= TOKEN_MIN_LENGTH && DIGIT.test(run)) return true;
  return DIGIT_RUN.test(value.replace(DATE_TIME, ' '));
}

/** `jane@example.com` → `************.com`; values of 4 characters or fewer are masked whole. */
export function mask(value: string | null): string | null {
  if (value === null) return null;
  return value.length <= 4 ? '*'.repeat(value.length) : `${'*'.repeat(value.length - 4)}${value.slice(-4)}`;
}

/**
 * A row as the preview shows it: every key column masked, and in the other columns every value that
 * looks like an identifier (`looksLikeIdentifier`) masked the same way. The preview shows the shape
 * of the data, never who is in it; the rest (a country, a date, a plan) stays readable.
 */
export function maskPreviewRow(row: SegmentRow, keyColumns: ReadonlySet<string>): SegmentRow {
  const masked: SegmentRow = {};
  for (const [column, value] of Object.entries(row)) {
    masked[column] =
      keyColumns.has(column) || (value !== null && looksLikeIdentifier(value)) ? mask(value) : value;
  }
  return masked;
}
