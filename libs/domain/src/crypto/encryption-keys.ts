import { join } from 'node:path';
import { loadOrCreateKeyFile } from './credential-cipher';

export interface ResolvedEncryptionKeys {
  spec: string;
  /** Set when the keys come from the embedded key file; `created` when this call generated it. */
  keyFile?: { path: string; created: boolean };
}

/**
 * Where an app's credential-encryption keys come from: CONDUIT_ENCRYPTION_KEYS when set; otherwise, on
 * the embedded default only, a key file under the data directory (generated on first start). A
 * PostgreSQL deployment must configure its keys: a generated key on one replica's disk would lock
 * the others out of the credentials.
 */
export function resolveEncryptionKeys(
  input: { configured?: string; databaseUrl?: string; dataDir: string },
  /** Told once, when this call generated the embedded key file (log it as a warning). */
  onGenerated: (notice: string) => void = () => undefined,
): ResolvedEncryptionKeys {
  if (input.configured) return { spec: input.configured };
  if (input.databaseUrl) {
    // Also enforced by the environment schema; kept here so no caller can skip it.
    throw new Error(
      'CONDUIT_ENCRYPTION_KEYS is required when DATABASE_URL is set (every replica needs the same keys); ' +
        'generate one with `npm run conduit -- keys:generate`.',
    );
  }
  const path = join(input.dataDir, 'encryption-keys');
  const { spec, created } = loadOrCreateKeyFile(path);
  if (created) {
    onGenerated(
      `Generated a credential-encryption key in ${path} (embedded default). Back it up: without it the ` +
        'stored provider credentials cannot be read. Set CONDUIT_ENCRYPTION_KEYS to manage keys yourself.',
    );
  }
  return { spec, keyFile: { path, created } };
}
