import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRateLimiter } from './redis-rate-limiter';

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl) {
  console.warn('RedisRateLimiter suite SKIPPED: set REDIS_URL=redis://127.0.0.1:6379 to run it.');
}

(redisUrl ? describe : describe.skip)('RedisRateLimiter (Redis)', () => {
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  const prefix = `conduit-spec-${randomBytes(4).toString('hex')}:rate`;

  afterAll(async () => {
    await clients[0]?.del(...(await clients[0].keys(`${prefix}:*`)), `${prefix}:none`);
    await Promise.all(clients.map((client) => client.quit()));
  });

  it('holds three "workers" with their own connections to one budget per second together', async () => {
    const workers = [0, 1, 2].map(() => new RedisRateLimiter(connect(), { perSecond: 5 }, prefix));
    const times: number[] = [];
    const started = Date.now();
    await Promise.all(
      workers.map(async (worker) => {
        for (let n = 0; n < 5; n++) {
          await worker.acquire('app-1');
          times.push(Date.now() - started);
        }
      }),
    );
    times.sort((a, b) => a - b);
    // 15 requests at 5 per second. The limiter's window is 1.25 s on Redis's clock: one second plus a
    // margin for transit times. Seen from here (after each grant's answer travelled back, at times
    // that vary by some milliseconds on a loaded machine), what TikTok counts must hold: never a sixth
    // request within one second, so more than two seconds in all.
    for (let index = 5; index < times.length; index++)
      expect(times[index] - times[index - 5]).toBeGreaterThanOrEqual(1000);
    expect(times.at(-1)).toBeGreaterThanOrEqual(2000);
    process.stdout.write(`redis rate limiter: 15 requests from 3 workers at 5/s took ${times.at(-1)} ms\n`);
  });

  it('holds every worker sharing the key while a pause the provider asked for runs; a shorter one changes nothing', async () => {
    const [one, two] = [0, 1].map(() => new RedisRateLimiter(connect(), { perSecond: 100 }, prefix));
    await (one as RedisRateLimiter).pause('paused', 800);
    await (two as RedisRateLimiter).pause('paused', 50);
    const started = Date.now();
    await (two as RedisRateLimiter).acquire('other');
    expect(Date.now() - started).toBeLessThan(400);
    await (two as RedisRateLimiter).acquire('paused');
    // Redis's clock decides; seen from here the wait is the pause less the time its answer travelled.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    const after = Date.now();
    await (one as RedisRateLimiter).acquire('paused');
    expect(Date.now() - after).toBeLessThan(400);
  });

  it('keeps keys apart and applies the per-minute quota', async () => {
    const limiter = new RedisRateLimiter(connect(), { perSecond: 100, perMinute: 3 }, prefix);
    for (let n = 0; n < 3; n++) await limiter.acquire('minute');
    const started = Date.now();
    await limiter.acquire('other-app');
    expect(Date.now() - started).toBeLessThan(200);
    // The fourth request this minute waits for the first one to leave the window: 61 s with the margin.
    const wait = await limiter.tryAcquire('minute');
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(61_000);
  });

  it('tells its observer of each request that had to wait, and of no other', async () => {
    const waits: number[] = [];
    const limiter = new RedisRateLimiter(connect(), { perSecond: 2 }, prefix, undefined, (waitedMs) =>
      waits.push(waitedMs),
    );
    for (let n = 0; n < 3; n++) await limiter.acquire('observed');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
  });
});
