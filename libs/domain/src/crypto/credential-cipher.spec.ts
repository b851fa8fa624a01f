import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  CredentialCipher,
  generateEncryptionKeySpec,
  loadOrCreateKeyFile,
  parseEncryptionKeys,
} from './credential-cipher';
import { resolveEncryptionKeys } from './encryption-keys';

const keyOf = (spec: string) => spec.slice(spec.indexOf(':') + 1);

describe('parseEncryptionKeys', () => {
  it('reads id:base64 entries, the first one current', () => {
    const a = generateEncryptionKeySpec('a');
    const b = generateEncryptionKeySpec('b');
    const { keys, problems } = parseEncryptionKeys(` ${a} , ${b} `);
    expect(problems).toEqual([]);
    expect(keys.map((key) => key.id)).toEqual(['a', 'b']);
    expect(keys[0].key).toHaveLength(32);
  });

  it('keeps the parsed key bytes out of logs and JSON', () => {
    const spec = generateEncryptionKeySpec('a');
    const { keys } = parseEncryptionKeys(spec);
    expect(JSON.stringify(keys)).toBe('[{"id":"a"}]');
    expect(inspect(keys)).toBe("[ { id: 'a' } ]");
    expect(keys[0].key.toString('base64')).toBe(keyOf(spec));
  });

  it('accepts url-safe base64', () => {
    const urlSafe = `k:${randomBytes(32).toString('base64url')}`;
    expect(parseEncryptionKeys(urlSafe).problems).toEqual([]);
  });

  // Buffer.from(…, 'base64') skips what is not base64, so only the pattern refuses these.
  it('refuses a key with anything before or after its base64', () => {
    const good = keyOf(generateEncryptionKeySpec('x'));
    expect(parseEncryptionKeys(`a:*${good},b:${good}*`).problems).toEqual([
      'entry 1 ("a"): the key must be 32 bytes of base64, got 0 bytes',
      'entry 2 ("b"): the key must be 32 bytes of base64, got 0 bytes',
    ]);
  });

  it('lists every problem at once, quoting no key material', () => {
    const short = randomBytes(16).toString('base64');
    const good = keyOf(generateEncryptionKeySpec('x'));
    const { keys, problems } = parseEncryptionKeys(
      `x:${good},x:${good},${good},bad id!:${good},:${good},y:${short},y:${good},z:***,${'i'.repeat(33)}:${good}`,
    );
    expect(problems).toEqual([
      'entry 2 ("x"): the key id is used twice',
      'entry 3: must start with a key id (1-32 letters, digits, - or _) and a colon',
      'entry 4: must start with a key id (1-32 letters, digits, - or _) and a colon',
      'entry 5: must start with a key id (1-32 letters, digits, - or _) and a colon',
      'entry 6 ("y"): the key must be 32 bytes of base64, got 16 bytes',
      'entry 7 ("y"): the key id is used twice',
      'entry 8 ("z"): the key must be 32 bytes of base64, got 0 bytes',
      'entry 9: must start with a key id (1-32 letters, digits, - or _) and a colon',
    ]);
    expect(keys.map((key) => key.id)).toEqual(['x']);
    const text = problems.join(' ');
    expect(text).not.toContain(good);
    expect(text).not.toContain(short);
    expect(parseEncryptionKeys(' , ').problems).toEqual([
      'no key given: expected entries like "k1:<base64 of 32 bytes>"',
    ]);
  });
});

describe('CredentialCipher', () => {
  const oldSpec = generateEncryptionKeySpec('old');
  const newSpec = generateEncryptionKeySpec('new');
  const cipher = CredentialCipher.fromSpec(`${newSpec},${oldSpec}`);
  const secret = JSON.stringify({ accessToken: 'tok_0123456789abcdef' });

  it('round-trips, with a random IV per value and the key id in clear', () => {
    const a = cipher.encrypt(secret, 'aut_1');
    const b = cipher.encrypt(secret, 'aut_1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:new:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(a).not.toContain('tok_');
    expect(cipher.decrypt(a, 'aut_1')).toBe(secret);
    expect(cipher.decrypt(cipher.encrypt('no context'))).toBe('no context');
    expect(cipher.keyIdOf(a)).toBe('new');
    expect(cipher.currentKeyId).toBe('new');
  });

  it('rotates: old keys decrypt, new writes use the first key', () => {
    const before = CredentialCipher.fromSpec(oldSpec).encrypt(secret, 'aut_1');
    expect(cipher.needsReencryption(before)).toBe(true);
    expect(cipher.decrypt(before, 'aut_1')).toBe(secret);
    expect(cipher.needsReencryption(cipher.encrypt(secret, 'aut_1'))).toBe(false);
  });

  it('detects tampering, a foreign row and a missing key', () => {
    const value = cipher.encrypt(secret, 'aut_1');
    const parts = value.split(':');
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    const withPart = (index: number, replacement: string) =>
      parts.map((part, i) => (i === index ? replacement : part)).join(':');
    expect(() => cipher.decrypt(withPart(4, flip(parts[4])), 'aut_1')).toThrow(/failed authentication/);
    expect(() => cipher.decrypt(withPart(2, flip(parts[2])), 'aut_1')).toThrow(/failed authentication/);
    expect(() => cipher.decrypt(withPart(3, flip(parts[3])), 'aut_1')).toThrow(/failed authentication/);
    expect(() => cipher.decrypt(withPart(1, 'old'), 'aut_1')).toThrow(/failed authentication \(key "old"\)/);
    expect(() => cipher.decrypt(value, 'aut_2')).toThrow(/belongs to another record/);
    expect(() => cipher.decrypt(withPart(1, 'gone'), 'aut_1')).toThrow(
      /encrypted with key "gone", which is not in CONDUIT_ENCRYPTION_KEYS/,
    );
  });

  it('refuses values it did not write', () => {
    const [, , iv, tag, body] = cipher.encrypt('x').split(':');
    const garbage = [
      '',
      'plain',
      `v2:new:${iv}:${tag}:${body}`,
      `v1:bad id:${iv}:${tag}:${body}`,
      `v1:new:${iv}:${tag}:${body}:extra`,
      `v1:new:AAAA:${tag}:${body}`,
      `v1:new:${iv}:AAAA:${body}`,
      null as unknown as string, // a NULL column
    ];
    for (const value of garbage) {
      expect(() => cipher.decrypt(value)).toThrow(/Not a value this cipher wrote/);
      expect(() => cipher.keyIdOf(value)).toThrow(/Not a value this cipher wrote/);
    }
  });

  it('never shows key material or plaintext when printed or serialized', () => {
    const rendered = [
      String(cipher),
      JSON.stringify(cipher),
      inspect(cipher, { depth: 5, showHidden: true }),
    ];
    for (const text of rendered) {
      expect(text).not.toContain(keyOf(newSpec));
      expect(text).not.toContain(keyOf(oldSpec));
    }
    expect(JSON.parse(JSON.stringify(cipher))).toEqual({ currentKeyId: 'new', keyIds: ['new', 'old'] });
  });

  it('refuses an invalid spec, listing the problems without the keys', () => {
    const short = randomBytes(8).toString('base64');
    expect(() => CredentialCipher.fromSpec(`a:${short}`)).toThrow(
      'CONDUIT_ENCRYPTION_KEYS is invalid: entry 1 ("a"): the key must be 32 bytes of base64, got 8 bytes',
    );
    expect(() => CredentialCipher.fromSpec(`a:${short},a:${short}`)).toThrow(
      'got 8 bytes; entry 2 ("a"): the key id is used twice',
    );
  });
});

describe('generateEncryptionKeySpec', () => {
  it('defaults the id to today and refuses a bad id', () => {
    expect(generateEncryptionKeySpec()).toMatch(/^k\d{8}:[A-Za-z0-9+/]{43}=$/);
    expect(() => generateEncryptionKeySpec('no spaces')).toThrow(/key id/);
  });
});

describe('key files and resolution', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'conduit-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file once (mode 0600) and reuses it', () => {
    const path = join(dir, 'nested', 'encryption-keys');
    const first = loadOrCreateKeyFile(path);
    expect(first.created).toBe(true);
    expect(parseEncryptionKeys(first.spec).problems).toEqual([]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKeyFile(path)).toEqual({ spec: first.spec, created: false });
    expect(readFileSync(path, 'utf8').trim()).toBe(first.spec);
  });

  it('reads a key file written by someone else as it is', () => {
    const path = join(dir, 'encryption-keys');
    const spec = `${generateEncryptionKeySpec('a')},${generateEncryptionKeySpec('b')}`;
    writeFileSync(path, `\n${spec}\n`);
    expect(loadOrCreateKeyFile(path)).toEqual({ spec, created: false });
  });

  it('passes on file-system errors other than an existing file', () => {
    expect(() => loadOrCreateKeyFile(join(dir, 'k'.repeat(300)))).toThrow(/ENAMETOOLONG/);
  });

  it('prefers configured keys, generates on the embedded default (saying so), refuses PostgreSQL without keys', () => {
    const configured = generateEncryptionKeySpec('cfg');
    expect(resolveEncryptionKeys({ configured, dataDir: dir })).toEqual({ spec: configured });
    const notices: string[] = [];
    const embedded = resolveEncryptionKeys({ dataDir: dir }, (notice) => notices.push(notice));
    expect(embedded.keyFile).toEqual({ path: join(dir, 'encryption-keys'), created: true });
    expect(notices).toEqual([
      expect.stringMatching(/^Generated a credential-encryption key in .*Back it up/),
    ]);
    expect(notices[0]).not.toContain(keyOf(embedded.spec));
    expect(resolveEncryptionKeys({ dataDir: dir }, (notice) => notices.push(notice)).spec).toBe(
      embedded.spec,
    );
    expect(notices).toHaveLength(1);
    expect(() => resolveEncryptionKeys({ databaseUrl: 'postgres://x/y', dataDir: dir })).toThrow(
      /CONDUIT_ENCRYPTION_KEYS is required when DATABASE_URL is set/,
    );
  });
});
