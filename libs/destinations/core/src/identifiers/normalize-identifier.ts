import { createHash } from 'node:crypto';
import isEmail from 'validator/lib/isEmail';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type {
  KeyEncoding,
  KeyType,
  NormalizedIdentifier,
  NormalizeOptions,
  RejectionReason,
} from './identifier-types';

/** A normalized value, or why there is none. */
export type Normalized = { ok: true; value: string } | { ok: false; reason: RejectionReason };

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** RFC 5321: an address is at most 254 characters. */
const MAX_EMAIL_LENGTH = 254;
/** E.164: at most 15 digits. */
const MAX_PHONE_DIGITS = 15;
const PHONE_PUNCTUATION = /[\s\-.()/]/g;
/**
 * The everyday ASCII address (dot-atom local part, hostname labels, alphabetic TLD): a strict subset
 * of what isEmail accepts, checked first because isEmail costs ~7 µs a call and exports run it tens
 * of millions of times. Anything else goes to isEmail.
 */
const PLAIN_EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MAX_LOCAL_PART_LENGTH = 64;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const fail = (reason: RejectionReason): Normalized => ({ ok: false, reason });

/** Trim, lowercase, validate (validator's isEmail). */
export function normalizeEmail(raw: string): Normalized {
  const value = raw.trim().toLowerCase();
  if (value === '') return fail('EMPTY');
  if (value.length > MAX_EMAIL_LENGTH) return fail('TOO_LONG');
  if (PLAIN_EMAIL.test(value) && value.indexOf('@') <= MAX_LOCAL_PART_LENGTH) return { ok: true, value };
  return isEmail(value) ? { ok: true, value } : fail('MALFORMED');
}

/**
 * E.164 via libphonenumber-js. A leading `00` is the international prefix; numbers without a country
 * code use `defaultPhoneRegion`, and without one digits-only input is read as international.
 */
export function normalizePhone(raw: string, options: NormalizeOptions = {}): Normalized {
  let value = raw.trim().replace(PHONE_PUNCTUATION, '');
  if (value === '') return fail('EMPTY');
  if (value.startsWith('00')) value = `+${value.slice(2)}`;
  if (!/^\+?\d+$/.test(value)) return fail('MALFORMED');
  const digits = value.startsWith('+') ? value.length - 1 : value.length;
  if (digits > MAX_PHONE_DIGITS) return fail('TOO_LONG');
  const international = value.startsWith('+') || !options.defaultPhoneRegion;
  const phone = international
    ? parsePhoneNumberFromString(value.startsWith('+') ? value : `+${value}`)
    : parsePhoneNumberFromString(value, options.defaultPhoneRegion as CountryCode);
  if (!phone || !phone.isValid()) return fail('MALFORMED');
  return { ok: true, value: phone.number };
}

/** Mobile ad ids (IDFA, AAID/GAID): lowercase UUID form; 32 hex digits are re-dashed; all zeros is no id. */
export function normalizeMaid(raw: string): Normalized {
  let value = raw.trim().toLowerCase();
  if (value === '') return fail('EMPTY');
  if (HEX32.test(value))
    value = `${value.slice(0, 8)}-${value.slice(8, 12)}-${value.slice(12, 16)}-${value.slice(16, 20)}-${value.slice(20)}`;
  if (!UUID.test(value) || value === ZERO_UUID) return fail('MALFORMED');
  return { ok: true, value };
}

/**
 * The one entry point of the export path: a segment cell → the SHA-256 the provider receives, or
 * the reason it is rejected. Pre-hashed values pass through lowercased; raw values are normalized
 * per key type and hashed. A raw value that already is a digest is refused (declared wrongly).
 */
export function normalizeIdentifier(
  type: KeyType,
  encoding: KeyEncoding,
  input: unknown,
  options: NormalizeOptions = {},
): NormalizedIdentifier {
  if (input === null || input === undefined) return { ok: false, reason: 'EMPTY' };
  if (Array.isArray(input)) return { ok: false, reason: 'MULTI_VALUE' };
  if (typeof input !== 'string' && typeof input !== 'number' && typeof input !== 'bigint')
    return { ok: false, reason: 'MALFORMED' };
  const text = String(input).trim();
  if (text === '') return { ok: false, reason: 'EMPTY' };
  if (encoding === 'SHA256') {
    return SHA256_HEX.test(text)
      ? { ok: true, hash: text.toLowerCase() }
      : { ok: false, reason: 'NOT_HASHED' };
  }
  if (SHA256_HEX.test(text)) return { ok: false, reason: 'LOOKS_HASHED' };
  const normalized =
    type === 'EMAIL'
      ? normalizeEmail(text)
      : type === 'PHONE'
        ? normalizePhone(text, options)
        : normalizeMaid(text);
  if (!normalized.ok) return normalized;
  const value =
    type === 'PHONE' && options.phoneHashIncludesPlus === false
      ? normalized.value.slice(1)
      : normalized.value;
  return { ok: true, hash: sha256Hex(value) };
}
