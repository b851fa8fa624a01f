import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One entry of CONDUIT_ENCRYPTION_KEYS. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/; // standard or url-safe
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * Parses `id:base64key,id:base64key` (the first entry is current). Every problem is reported, and
 * none quotes key material.
 */
export function parseEncryptionKeys(spec: string): { keys: EncryptionKey[]; problems: string[] } {
  const keys: EncryptionKey[] = [];
  const problems: string[] = [];
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) problems.push('no key given: expected entries like "k1:<base64 of 32 bytes>"');
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, Math.max(separator, 0));
    // Without a valid id the entry may be a bare key, so it is named by position only.
    if (!KEY_ID.test(id)) {
      problems.push(
        `entry ${index + 1}: must start with a key id (1-32 letters, digits, - or _) and a colon`,
      );
      return;
    }
    const label = `entry ${index + 1} ("${id}")`;
    if (seen.has(id)) {
      problems.push(`${label}: the key id is used twice`);
      return;
    }
    seen.add(id);
    const encoded = entry.slice(separator + 1);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) {
      problems.push(`${label}: the key must be ${KEY_BYTES} bytes of base64, got ${key.length} bytes`);
      return;
    }
    // Non-enumerable, so logging or serializing the parsed keys shows ids only.
    keys.push(Object.defineProperty({ id }, 'key', { value: key, enumerable: false }) as EncryptionKey);
  });
  return { keys, problems };
}

/**
 * AES-256-GCM for credentials at rest. Each value gets a random IV and names the key that sealed it
 * (`v1:<key id>:<iv>:<tag>:<ciphertext>`, base64url), so keys rotate: new writes use the first key,
 * older keys still decrypt until `credentials:reencrypt` has moved every row. An optional context
 * (the row id) is authenticated too: a ciphertext copied to another row does not decrypt.
 */
export class CredentialCipher {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  private constructor(keys: readonly EncryptionKey[]) {
    this.#keys = new Map(keys.map(({ id, key }) => [id, Buffer.from(key)]));
    this.currentKeyId = keys[0].id;
  }

  static fromSpec(spec: string): CredentialCipher {
    const { keys, problems } = parseEncryptionKeys(spec);
    if (problems.length > 0) {
      throw new Error(`CONDUIT_ENCRYPTION_KEYS is invalid: ${problems.join('; ')}`);
    }
    return new CredentialCipher(keys);
  }

  encrypt(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key(this.currentKeyId), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, this.currentKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  decrypt(value: string, context = ''): string {
    const { keyId, iv, tag, ciphertext } = split(value);
    const decipher = createDecipheriv('aes-256-gcm', this.#key(keyId), iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        `An encrypted value failed authentication (key "${keyId}"): it was altered, belongs to another record, or the key is wrong.`,
      );
    }
  }

  keyIdOf(value: string): string {
    return split(value).keyId;
  }

  /** True when the value was sealed with an older key (rotation pending). */
  needsReencryption(value: string): boolean {
    return this.keyIdOf(value) !== this.currentKeyId;
  }

  toJSON(): Record<string, unknown> {
    return { currentKeyId: this.currentKeyId, keyIds: [...this.#keys.keys()] };
  }

  #key(id: string): Buffer {
    const key = this.#keys.get(id);
    if (!key) {
      throw new Error(
        `A value is encrypted with key "${id}", which is not in CONDUIT_ENCRYPTION_KEYS; add that key back (after the current one).`,
      );
    }
    return key;
  }
}

function split(value: string): { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = typeof value === 'string' ? value.split(':') : [];
  if (parts.length !== 5 || parts[0] !== FORMAT || !KEY_ID.test(parts[1])) {
    throw new Error(`Not a value this cipher wrote (expected "${FORMAT}:<key id>:<iv>:<tag>:<ciphertext>").`);
  }
  const [, keyId, iv, tag, ciphertext] = parts;
  const decoded = { keyId, iv: decode(iv), tag: decode(tag), ciphertext: decode(ciphertext) };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new Error(`Not a value this cipher wrote (bad IV or tag length).`);
  }
  return decoded;
}

function decode(part: string): Buffer {
  return Buffer.from(part, 'base64url');
}

/** A new `id:base64key` entry; the id defaults to `k` + today's date (k20261125). */
export function generateEncryptionKeySpec(
  keyId = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`,
): string {
  if (!KEY_ID.test(keyId)) throw new Error('A key id is 1-32 letters, digits, - or _.');
  return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * The embedded default's key file: read when it exists, else generated (mode 0600). Returns whether
 * this call created it, so the caller can say so. Creation is exclusive, so the API and the scheduler
 * starting together on a fresh data directory never replace each other's key.
 */
export function loadOrCreateKeyFile(path: string): { spec: string; created: boolean } {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${generateEncryptionKeySpec()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { spec: readFileSync(path, 'utf8').trim(), created: false };
  }
  chmodSync(path, 0o600); // the mode above is filtered by the umask
  return { spec: readFileSync(path, 'utf8').trim(), created: true };
}
