/**
 * How long a process trusts an API key it has checked in the database before checking it again: a key
 * revoked through another process stops working there within this time; in the revoking process, at
 * once (`forget`).
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
/** Keys remembered at most (the oldest checked are dropped first): a bound on memory, not a tuning knob. */
const MAX_ENTRIES = 10_000;

/** Who a key authenticates (the same shape as `Principal`). */
export interface CachedPrincipal {
  companyId: string;
  apiKeyId: string;
}

export interface CachedApiKey {
  principal: CachedPrincipal;
  /** When the key's `lastUsedAt` was last written (epoch ms), so that it is written once a minute at most. */
  lastUsedAt: number;
}

interface Entry extends CachedApiKey {
  /** `performance.now()` when the database said the key was valid: a monotonic clock, wall-clock jumps aside. */
  checkedAt: number;
}

/**
 * The API keys this process has found valid, by secret hash (never the secret): the database is asked
 * once per key per `ttlMs` instead of on every request. Only valid keys are kept — an unknown or revoked
 * key is looked up every time, so nothing a caller sends can fill the cache with garbage.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Keys revoked here in the last `ttlMs`: a lookup that started before the revocation must not re-add them. */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly ttlMs = API_KEY_CACHE_TTL_MS,
    private readonly maxEntries = MAX_ENTRIES,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(hash: string): CachedApiKey | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    const age = this.now() - entry.checkedAt;
    if (age >= this.ttlMs || age < 0) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry;
  }

  set(hash: string, key: CachedApiKey): void {
    if (this.ttlMs <= 0) return;
    const now = this.now();
    for (const [id, at] of this.revoked) if (now - at >= this.ttlMs) this.revoked.delete(id);
    if (this.revoked.has(key.principal.apiKeyId)) return;
    this.entries.delete(hash);
    this.entries.set(hash, { ...key, checkedAt: now });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  /** The key is revoked: this process refuses it from now on. */
  forget(apiKeyId: string): void {
    this.revoked.set(apiKeyId, this.now());
    for (const [hash, entry] of this.entries)
      if (entry.principal.apiKeyId === apiKeyId) this.entries.delete(hash);
  }

  get size(): number {
    return this.entries.size;
  }
}
