import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Normalized, NormalizeOptions } from './identifier-types';
import { NO_OPTIONS, REJECTED } from './rejection';

/** E.164: at most 15 digits, country code included. */
const MAX_PHONE_DIGITS = 15;
/** Separators people write in numbers; removing all whitespace also trims. */
const PHONE_PUNCTUATION = /[\s\-.()/]/g;
const PHONE_DIGITS = /^\+?\d+$/;
const PLUS = 0x2b;

/**
 * Whether libphonenumber-js knows `region` (case-insensitive ISO 3166 alpha-2), for validating a
 * configured `defaultPhoneRegion` up front: with an unknown region every national number would be
 * rejected as MALFORMED, one value at a time.
 */
export function isSupportedPhoneRegion(region: string): boolean {
  return isSupportedCountry(region.toUpperCase());
}

/**
 * E.164 (`+14155552671`) via libphonenumber-js; the number must be valid for its country, not just
 * plausible in length. A leading `00` is the international prefix; numbers without a country code
 * use `defaultPhoneRegion`, and without one, digits-only input is read as international.
 */
export function normalizePhone(raw: string, options: NormalizeOptions = NO_OPTIONS): Normalized {
  let value = raw.replace(PHONE_PUNCTUATION, '');
  if (value === '') return REJECTED.EMPTY;
  // Letters, extensions ("ext 5"), a + anywhere but first: not one plain number.
  if (!PHONE_DIGITS.test(value)) return REJECTED.MALFORMED;
  let international = value.charCodeAt(0) === PLUS;
  if (!international && value.startsWith('00')) {
    value = `+${value.slice(2)}`;
    international = true;
  }
  const digits = international ? value.length - 1 : value.length;
  if (digits > MAX_PHONE_DIGITS) return REJECTED.TOO_LONG;
  const region = options.defaultPhoneRegion;
  const phone =
    international || !region
      ? parsePhoneNumberFromString(international ? value : `+${value}`)
      : // libphonenumber-js only knows upper-case codes; `us` would silently reject every number.
        parsePhoneNumberFromString(value, region.toUpperCase() as CountryCode);
  if (!phone || !phone.isValid()) return REJECTED.MALFORMED;
  return { ok: true, value: phone.number };
}
