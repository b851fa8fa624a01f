import { hash } from 'node:crypto';

/** Lowercase hex SHA-256 of the UTF-8 bytes of `value` (the digest ad platforms match on). */
export function sha256Hex(value: string): string {
  // The one-shot hash: no Hash object per value (about half the cost of createHash().update().digest()).
  return hash('sha256', value, 'hex');
}
