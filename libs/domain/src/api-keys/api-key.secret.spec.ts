import { createHash } from 'node:crypto';
import {
  API_KEY_MARKER,
  API_KEY_VISIBLE_LENGTH,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
} from './api-key.secret';

describe('API key secrets', () => {
  it('generates a marked 256-bit secret, its visible prefix and its SHA-256', () => {
    const { secret, prefix, hash } = generateApiKey();
    expect(secret).toMatch(/^cdt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret.slice(API_KEY_MARKER.length), 'base64url')).toHaveLength(32);
    expect(prefix).toBe(secret.slice(0, API_KEY_VISIBLE_LENGTH));
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(hashApiKey(secret)).toBe(hash);
  });

  it('never repeats', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateApiKey().secret));
    expect(secrets.size).toBe(200);
  });

  it.each([
    ['', false],
    ['cdt_', false],
    [`cdt_${'a'.repeat(42)}`, false],
    [`cdt_${'a'.repeat(44)}`, false],
    [`xyz_${'a'.repeat(43)}`, false],
    [`cdt_${'a'.repeat(42)}!`, false],
    [`cdt_${'a'.repeat(43)}`, true],
  ])('recognises %p as a key: %p', (candidate, expected) => {
    expect(looksLikeApiKey(candidate)).toBe(expected);
  });
});
