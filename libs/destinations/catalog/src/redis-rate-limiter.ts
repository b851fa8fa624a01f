import { randomUUID } from 'node:crypto';
import type { RateLimits, RequestRateLimiter } from '@conduit/destinations-core';
import type { Redis } from 'ioredis';

/**
 * One sliding-window log per key in a sorted set, checked and appended atomically on the Redis server
 * with the server's clock (workers' clocks may differ). Answers 0 when a request may go now, else how
 * many milliseconds to wait.
 */
const TAKE = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local per_second = tonumber(ARGV[1])
local per_minute = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
local wait = 0
if redis.call('ZCOUNT', KEYS[1], now - 999, '+inf') >= per_second then
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], now - 999, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  wait = math.max(wait, tonumber(oldest[2]) + 1000 - now)
end
if per_minute > 0 and redis.call('ZCARD', KEYS[1]) >= per_minute then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + 60000 - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], 61000)
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
  ) {}

  async acquire(key: string): Promise<void> {
    const member = randomUUID();
    for (;;) {
      const wait = await this.tryAcquire(key, member);
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait + Math.floor(Math.random() * 20)));
    }
  }

  /** Takes a slot now (0), or says how many milliseconds until one frees up (nothing taken). */
  async tryAcquire(key: string, member: string = randomUUID()): Promise<number> {
    const limits = this.limits;
    const wait = await this.redis.eval(
      TAKE,
      1,
      `${this.prefix}:${key}`,
      limits.perSecond,
      limits.perMinute ?? 0,
      member,
    );
    return Number(wait);
  }
}
