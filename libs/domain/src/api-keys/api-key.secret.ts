import { createHash, randomBytes } from 'node:crypto';

/** Every Conduit API key starts with this marker, so secret scanners (and people) can recognise one. */
export const API_KEY_MARKER = 'cdt_';
const SECRET_BYTES = 32;
/** How many leading characters stay visible in listings: the marker and 8 random characters. */
export const API_KEY_VISIBLE_LENGTH = API_KEY_MARKER.length + 8;
const API_KEY_PATTERN = /^cdt_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  /** The full secret, to hand to the caller once and never store. */
  secret: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const secret = API_KEY_MARKER + randomBytes(SECRET_BYTES).toString('base64url');
  return { secret, prefix: secret.slice(0, API_KEY_VISIBLE_LENGTH), hash: hashApiKey(secret) };
}

/** API keys carry 256 random bits, so a fast digest is the right tool (no password-hash stretching). */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function looksLikeApiKey(candidate: string): boolean {
  return API_KEY_PATTERN.test(candidate);
}
