import isEmail from 'validator/lib/isEmail';
import type { Normalized } from './identifier-types';
import { REJECTED } from './rejection';

/** RFC 5321 path limit; isEmail would reject longer ones too, but as MALFORMED. */
const MAX_EMAIL_LENGTH = 254;
/** RFC 5321 local-part limit, as isEmail applies it (in bytes; the fast path is ASCII, so chars). */
const MAX_LOCAL_PART_LENGTH = 64;
/**
 * The everyday ASCII address (dot-atom local part, hostname labels, alphabetic TLD): a strict subset
 * of what isEmail accepts with its default options, tried first because isEmail costs a few µs a call
 * and exports run it tens of millions of times. Anything else is decided by isEmail. email.spec.ts
 * checks the subset claim on a generated corpus.
 */
const PLAIN_EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Trim, lowercase (Unicode rules, locale-independent), validate with validator's isEmail (default
 * options: UTF-8 local parts and Unicode domains accepted as they are, no IP or TLD-less domains).
 * No provider-specific rewriting (gmail dots and +tags are kept).
 */
export function normalizeEmail(raw: string): Normalized {
  const value = raw.trim().toLowerCase();
  if (value === '') return REJECTED.EMPTY;
  // Checked before isEmail, which rejects long addresses itself and would report them as MALFORMED.
  if (value.length > MAX_EMAIL_LENGTH) return REJECTED.TOO_LONG;
  if (PLAIN_EMAIL.test(value) && value.indexOf('@') <= MAX_LOCAL_PART_LENGTH) return { ok: true, value };
  return isEmail(value) ? { ok: true, value } : REJECTED.MALFORMED;
}
