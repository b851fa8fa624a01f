import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of the UTF-8 bytes of `value` (the digest ad platforms match on). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
