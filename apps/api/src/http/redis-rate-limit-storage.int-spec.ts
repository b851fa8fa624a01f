import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRateLimitStorage } from './redis-rate-limit-storage';

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) {
  console.warn('RedisRateLimitStorage suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');
}

(redisUrl ? describe : describe.skip)('RedisRateLimitStorage (Redis)', () => {
  const prefix = `conduit-spec-${randomBytes(4).toString('hex')}:api-rate-limit`;
  const storages: RedisRateLimitStorage[] = [];
  const connect = () => {
    const storage = new RedisRateLimitStorage(new Redis(redisUrl as string, { maxRetriesPerRequest: 1 }));
    storages.push(storage);
    return storage;
  };

  afterAll(async () => {
    const redis = new Redis(redisUrl as string);
    const keys = await redis.keys(`{${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    for (const storage of storages) storage.disconnect();
  });

  it('closes every window ttl after its first hit, even under hits landing in its last millisecond', async () => {
    // Hits as fast as one connection goes (several a millisecond): many land in a window's last
    // millisecond, when Redis still has the key and PTTL answers 0. A store that re-arms the expiry
    // then (as @nest-lab/throttler-storage-redis 1.2.0 does) keeps the window open forever.
    const storage = connect();
    const ttl = 100;
    const windows: { openedAt: number; lastAt: number; hits: number }[] = [];
    const started = performance.now();
    while (performance.now() - started < 1_500) {
      const record = await storage.increment(`${prefix}:tight`, ttl, 1e9, ttl, 'second');
      const now = performance.now();
      if (record.totalHits === 1) windows.push({ openedAt: now, lastAt: now, hits: 1 });
      const current = windows.at(-1);
      if (!current) throw new Error(`the first hit counted ${record.totalHits}`);
      current.lastAt = now;
      current.hits = record.totalHits;
    }
    const longest = Math.max(...windows.map((window) => window.lastAt - window.openedAt));
    const hits = windows.reduce((sum, window) => sum + window.hits, 0);
    process.stdout.write(
      `redis rate-limit store: ${hits} hits in 1.5 s, ${windows.length} windows of ${ttl} ms, longest seen ${longest.toFixed(1)} ms\n`,
    );
    // 1.5 s of 100 ms windows: about 15, each seen closing after its 100 ms (plus a round trip).
    expect(windows.length).toBeGreaterThanOrEqual(10);
    expect(longest).toBeLessThan(2 * ttl);
  });

  it('counts the hits of every connection in one window, blocks past the limit, then opens again', async () => {
    const [first, second] = [connect(), connect()];
    const key = `${prefix}:shared`;
    const records = [];
    for (let n = 0; n < 4; n++)
      records.push(await (n % 2 ? second : first).increment(key, 1000, 3, 1000, 'second'));
    expect(records.map((record) => [record.totalHits, record.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(records[0]).toMatchObject({ timeToExpire: 1, timeToBlockExpire: 0 });
    expect(records[3]).toMatchObject({ timeToExpire: 1, timeToBlockExpire: 1 });
    // Blocked: still blocked on the other connection, and the block is not pushed back by new hits.
    const blocked = await second.increment(key, 1000, 3, 1000, 'second');
    expect(blocked).toMatchObject({ totalHits: 5, isBlocked: true });

    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await expect(first.increment(key, 1000, 3, 1000, 'second')).resolves.toEqual({
      totalHits: 1,
      timeToExpire: 1,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('keeps windows of different names and keys apart', async () => {
    const storage = connect();
    await storage.increment(`${prefix}:a`, 60_000, 10, 60_000, 'minute');
    await storage.increment(`${prefix}:a`, 60_000, 10, 60_000, 'minute');
    await expect(storage.increment(`${prefix}:a`, 1000, 10, 1000, 'second')).resolves.toMatchObject({
      totalHits: 1,
    });
    await expect(storage.increment(`${prefix}:b`, 60_000, 10, 60_000, 'minute')).resolves.toMatchObject({
      totalHits: 1,
      timeToExpire: 60,
    });
  });
});
