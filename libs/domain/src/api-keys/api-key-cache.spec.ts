import { ApiKeyCache } from './api-key-cache';

describe('ApiKeyCache', () => {
  let time: number;
  const principal = { companyId: 'cmp_1', apiKeyId: 'key_1' };
  const make = (ttlMs = 5_000, maxEntries = 10) => new ApiKeyCache(ttlMs, maxEntries, () => time);

  beforeEach(() => {
    time = 1_000;
  });

  it('remembers a valid key for its time to live, then asks again', () => {
    const cache = make();
    cache.set('hash-1', { principal, lastUsedAt: 0 });
    time += 4_999;
    expect(cache.get('hash-1')?.principal).toEqual(principal);
    time += 1;
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a revoked key at once, and does not take it back from a lookup that started before', () => {
    const cache = make();
    cache.set('hash-1', { principal, lastUsedAt: 0 });
    cache.forget('key_1');
    expect(cache.get('hash-1')).toBeUndefined();
    // A request that read the key as valid just before the revocation finishes after it.
    cache.set('hash-1', { principal, lastUsedAt: 0 });
    expect(cache.get('hash-1')).toBeUndefined();
    // A key id is never valid again once revoked; the guard only lasts as long as a cached entry would.
    time += 5_000;
    cache.set('hash-1', { principal, lastUsedAt: 0 });
    expect(cache.get('hash-1')).toBeDefined();
  });

  it('keeps other keys when one is revoked', () => {
    const cache = make();
    const other = { companyId: 'cmp_1', apiKeyId: 'key_2' };
    cache.set('hash-1', { principal, lastUsedAt: 0 });
    cache.set('hash-2', { principal: other, lastUsedAt: 0 });
    cache.forget('key_1');
    expect(cache.get('hash-2')?.principal).toEqual(other);
  });

  it('holds at most its maximum, dropping the oldest checked', () => {
    const cache = make(5_000, 2);
    for (const n of [1, 2, 3])
      cache.set(`hash-${n}`, { principal: { ...principal, apiKeyId: `key_${n}` }, lastUsedAt: 0 });
    expect(cache.size).toBe(2);
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.get('hash-3')).toBeDefined();
  });

  it('does not trust an entry when the clock went backwards, and caches nothing with a time to live of 0', () => {
    const cache = make();
    cache.set('hash-1', { principal, lastUsedAt: 0 });
    time -= 1;
    expect(cache.get('hash-1')).toBeUndefined();
    const off = make(0);
    off.set('hash-1', { principal, lastUsedAt: 0 });
    expect(off.get('hash-1')).toBeUndefined();
  });
});
