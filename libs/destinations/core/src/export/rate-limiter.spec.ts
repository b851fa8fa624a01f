import { InMemoryRateLimiter } from './rate-limiter';

/** A manual clock: sleeping advances time instantly, so the spec is exact and fast. */
function fakeClock() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

describe('InMemoryRateLimiter', () => {
  it('lets `perSecond` requests through per sliding second and makes the next wait', async () => {
    const clock = fakeClock();
    const limiter = new InMemoryRateLimiter({ perSecond: 10 }, clock);
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      await limiter.acquire('app');
      times.push(clock.now());
    }
    expect(times.slice(0, 10).every((t) => t === 0)).toBe(true);
    expect(times[10]).toBeGreaterThanOrEqual(1000);
    for (let i = 10; i < 25; i++) expect(times[i] - times[i - 10]).toBeGreaterThanOrEqual(1000);
  });

  it('applies the per-minute quota and keeps keys apart', async () => {
    const clock = fakeClock();
    const limiter = new InMemoryRateLimiter({ perSecond: 100, perMinute: 3 }, clock);
    for (let i = 0; i < 3; i++) await limiter.acquire('a');
    await limiter.acquire('b');
    expect(clock.now()).toBe(0);
    await limiter.acquire('a');
    expect(clock.now()).toBeGreaterThanOrEqual(60_000);
  });

  it('serves concurrent callers in order', async () => {
    const clock = fakeClock();
    const limiter = new InMemoryRateLimiter({ perSecond: 2 }, clock);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((n) => limiter.acquire('app').then(() => order.push(n))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(clock.now()).toBeGreaterThanOrEqual(1000);
  });

  it('tells its observer of each request that had to wait, and for how long', async () => {
    const clock = fakeClock();
    const waits: number[] = [];
    const limiter = new InMemoryRateLimiter({ perSecond: 2 }, clock, (waitedMs) => waits.push(waitedMs));
    for (let i = 0; i < 3; i++) await limiter.acquire('app');
    expect(waits).toEqual([1001]);
  });

  it('holds every request of a key until a pause the provider asked for ends; a shorter pause changes nothing', async () => {
    const clock = fakeClock();
    const limiter = new InMemoryRateLimiter({ perSecond: 100 }, clock);
    await limiter.acquire('app');
    await limiter.pause('app', 30_000);
    await limiter.pause('app', 5_000);
    await limiter.acquire('other');
    expect(clock.now()).toBe(0);
    await limiter.acquire('app');
    expect(clock.now()).toBeGreaterThanOrEqual(30_000);
    expect(clock.now()).toBeLessThan(30_010);
    await limiter.acquire('app');
    expect(clock.now()).toBeLessThan(30_010);
  });
});
