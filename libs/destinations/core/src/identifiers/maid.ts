import type { Normalized } from './identifier-types';
import { REJECTED } from './rejection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX32 = /^[0-9a-f]{32}$/;
/** What iOS (IDFA) and Android (AAID) report when the user limits ad tracking: nobody's id. */
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Mobile ad ids (IDFA, AAID/GAID): lowercase `8-4-4-4-12` UUID form, which is what platforms hash.
 * 32 hex digits without dashes are re-dashed. The UUID version is not checked (Google's own AAID
 * example is a version 1 UUID).
 */
export function normalizeMaid(raw: string): Normalized {
  let value = raw.trim().toLowerCase();
  if (value === '') return REJECTED.EMPTY;
  if (value.length === 32 && HEX32.test(value))
    value = `${value.slice(0, 8)}-${value.slice(8, 12)}-${value.slice(12, 16)}-${value.slice(16, 20)}-${value.slice(20)}`;
  if (value.length !== 36 || !UUID.test(value) || value === ZERO_UUID) return REJECTED.MALFORMED;
  return { ok: true, value };
}
