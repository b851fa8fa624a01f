import { randomUUID } from 'node:crypto';
import type { RateLimits, RequestRateLimiter } from '@conduit/destinations-core';
import type { Redis } from 'ioredis';

/**
 * One sliding-window log per key in a sorted set, checked and appended atomically on the Redis server
 * with the server's clock (workers' clocks may differ), after the key's pause (KEYS[2], a key that
 * expires when the pause ends). Answers 0 when a request may go now, else how many milliseconds to wait.
 */
const TAKE = `
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local per_second = tonumber(ARGV[1])
local per_minute = tonumber(ARGV[2])
local second = tonumber(ARGV[4])
local minute = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - minute)
local wait = 0
if redis.call('ZCOUNT', KEYS[1], now - second + 1, '+inf') >= per_second then
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], now - second + 1, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  wait = math.max(wait, tonumber(oldest[2]) + second - now)
end
if per_minute > 0 and redis.call('ZCARD', KEYS[1]) >= per_minute then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + minute - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], minute + 1000)
return 0
`;

/** Pauses a key for ARGV[1] milliseconds, unless a longer pause is already running. */
const PAUSE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
`;

/**
 * A provider's request budget shared by every process through Redis (e.g. TikTok's 10 QPS and 600 QPM
 * per developer app): no number of workers makes the provider answer "too many requests" at steady
 * state. Waits, never rejects; a wait is jittered so waiting workers do not retry in lockstep.
 */
export class RedisRateLimiter implements RequestRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limits: RateLimits,
    private readonly prefix = 'conduit:rate',
    /** The provider counts requests when they arrive (an upload: once its body is in) and this limiter
     * when they leave: transit times vary, so these windows are longer than the provider's (1.25 s and
     * 61 s by default; at 10 per second, 8 leave a second). A 100 ms margin let one request in 50 be
     * throttled with two worker processes uploading. */
    private readonly marginMs = { second: 250, minute: 1000 },
    /** Told, after a request had to wait for its slot, how long it waited (metrics). */
    private readonly onWait?: (waitedMs: number) => void,
  ) {}

  async acquire(key: string): Promise<void> {
    const member = randomUUID();
    const startedAt = Date.now();
    for (let waited = false; ; waited = true) {
      const wait = await this.tryAcquire(key, member);
      if (wait <= 0) {
        if (waited) this.onWait?.(Date.now() - startedAt);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait + Math.floor(Math.random() * 20)));
    }
  }

  /** Every process sharing this Redis holds the key's requests for `ms` (Redis's clock). */
  async pause(key: string, ms: number): Promise<void> {
    const whole = Math.ceil(ms);
    if (whole > 0) await this.redis.eval(PAUSE, 1, `${this.prefix}:${key}:paused`, whole);
  }

  /** Takes a slot now (0), or says how many milliseconds until one frees up (nothing taken). */
  async tryAcquire(key: string, member: string = randomUUID()): Promise<number> {
    const limits = this.limits;
    const wait = await this.redis.eval(
      TAKE,
      2,
      `${this.prefix}:${key}`,
      `${this.prefix}:${key}:paused`,
      limits.perSecond,
      limits.perMinute ?? 0,
      member,
      1000 + this.marginMs.second,
      60_000 + this.marginMs.minute,
    );
    return Number(wait);
  }
}
