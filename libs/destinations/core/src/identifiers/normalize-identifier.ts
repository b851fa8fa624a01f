import { normalizeEmail } from './email';
import type { KeyEncoding, KeyType, NormalizedIdentifier, NormalizeOptions } from './identifier-types';
import { normalizeMaid } from './maid';
import { normalizePhone } from './phone';
import { NO_OPTIONS, REJECTED } from './rejection';
import { sha256Hex } from './sha256-hex';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

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
  let text: string;
  if (typeof input === 'string') text = input.trim();
  else if (input === null || input === undefined) return REJECTED.EMPTY;
  else if (typeof input === 'number' || typeof input === 'bigint') text = String(input);
  else if (Array.isArray(input)) return REJECTED.MULTI_VALUE;
  else return REJECTED.MALFORMED; // objects, booleans, dates, buffers: not an identifier cell
  if (text === '') return REJECTED.EMPTY;
  // The length test first: most raw values are not 64 characters long, so the regex rarely runs.
  const isDigest = text.length === 64 && SHA256_HEX.test(text);
  if (encoding === 'SHA256') return isDigest ? { ok: true, hash: text.toLowerCase() } : REJECTED.NOT_HASHED;
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
  return { ok: true, hash: sha256Hex(value) };
}
