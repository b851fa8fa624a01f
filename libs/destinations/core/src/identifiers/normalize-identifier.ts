import { normalizeEmail } from './email';
import type {
  KeyEncoding,
  KeyType,
  NormalizedIdentifier,
  NormalizeOptions,
  RejectionReason,
} from './identifier-types';
import { normalizeMaid } from './maid';
import { normalizePhone } from './phone';
import { NO_OPTIONS, REJECTED } from './rejection';
import { sha256Hex } from './sha256-hex';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** What is hashed for a cell: the canonical text of a raw value, or the digest a column already holds. */
export type PreparedIdentifier =
  | { ok: true; /** the canonical text to hash */ value: string; hashed: false }
  | { ok: true; /** the lowercase SHA-256 hex the cell held */ value: string; hashed: true }
  | { ok: false; reason: RejectionReason };

/**
 * The one entry point of the export path: a segment cell → the SHA-256 the provider receives, or
 * why it is rejected. Pre-hashed values pass through lowercased; raw values are normalized per key
 * type and hashed. A raw value that already is a digest is refused: the column was declared wrongly,
 * and hashing it again would upload a digest of a digest that matches nobody.
 */
export function normalizeIdentifier(
  type: KeyType,
  encoding: KeyEncoding,
  input: unknown,
  options: NormalizeOptions = NO_OPTIONS,
): NormalizedIdentifier {
  const prepared = prepareIdentifier(type, encoding, input, options);
  if (!prepared.ok) return prepared;
  return { ok: true, hash: prepared.hashed ? prepared.value : sha256Hex(prepared.value) };
}

/**
 * Everything `normalizeIdentifier` does but the hashing: the text to hash (or the digest the cell
 * already holds), so that batches can be hashed elsewhere (hash-identifiers.ts, in worker threads).
 */
export function prepareIdentifier(
  type: KeyType,
  encoding: KeyEncoding,
  input: unknown,
  options: NormalizeOptions = NO_OPTIONS,
): PreparedIdentifier {
  let text: string;
  if (typeof input === 'string') text = input.trim();
  else if (input === null || input === undefined) return REJECTED.EMPTY;
  else if (typeof input === 'number' || typeof input === 'bigint') text = String(input);
  else if (Array.isArray(input)) return REJECTED.MULTI_VALUE;
  else return REJECTED.MALFORMED; // objects, booleans, dates, buffers: not an identifier cell
  if (text === '') return REJECTED.EMPTY;
  // The length test first: most raw values are not 64 characters long, so the regex rarely runs.
  const isDigest = text.length === 64 && SHA256_HEX.test(text);
  if (encoding === 'SHA256')
    return isDigest ? { ok: true, value: text.toLowerCase(), hashed: true } : REJECTED.NOT_HASHED;
  if (isDigest) return REJECTED.LOOKS_HASHED;
  const normalized =
    type === 'EMAIL'
      ? normalizeEmail(text)
      : type === 'PHONE'
        ? normalizePhone(text, options)
        : normalizeMaid(text);
  if (!normalized.ok) return normalized;
  const value =
    type === 'PHONE' && options.phoneHashIncludesPlus === false
      ? normalized.value.slice(1) // E.164 always starts with '+'
      : normalized.value;
  return { ok: true, value, hashed: false };
}
