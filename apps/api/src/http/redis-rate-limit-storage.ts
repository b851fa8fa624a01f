import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One hit in a fixed window, atomically. A window opens with its first hit (`SET … NX PX ttl`) and
 * closes `ttl` ms later, whatever happens in between: it is never extended. A hit past the limit
 * blocks the key for `blockDuration` ms (unless it is blocked already).
 *
 * Why not @nest-lab/throttler-storage-redis (1.2.0, the latest): its script re-arms the window's
 * expiry whenever `PTTL` answers 0 or less, and Redis answers 0 in the window's last millisecond, when
 * the key has not yet expired. A client on a steady schedule (5 requests/s, one every 200 ms) lands in
 * that millisecond often; the window is then re-armed with its count kept, grows by 5 a second and
 * blocks at 21 — a 429 "more than 20 requests in a second" to a client sending 5 (found by the soak).
 */
const HIT = `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local blockDuration = tonumber(ARGV[3])
redis.call('SET', KEYS[1], 0, 'PX', ttl, 'NX')
local totalHits = redis.call('INCR', KEYS[1])
local timeToExpire = redis.call('PTTL', KEYS[1])
if timeToExpire == -1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  timeToExpire = ttl
end
local timeToBlockExpire = redis.call('PTTL', KEYS[2])
if timeToBlockExpire <= 0 then
  timeToBlockExpire = 0
  if totalHits > limit then
    redis.call('SET', KEYS[2], 1, 'PX', blockDuration)
    timeToBlockExpire = blockDuration
  end
end
return { totalHits, math.max(timeToExpire, 0), timeToBlockExpire }
`;

const COMMAND = 'conduitRateLimitHit';

type WithHit = Redis & {
  [COMMAND](
    hits: string,
    blocked: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<unknown>;
};

/**
 * The rate limiter's store on Redis, shared by every API process: fixed windows counted exactly (see
 * HIT). The script is loaded once per connection (ioredis sends EVALSHA, falling back to EVAL after a
 * Redis restart). Keys carry a hash tag, so a window's two keys live on one Redis Cluster slot.
 */
export class RedisRateLimitStorage implements ThrottlerStorage {
  private readonly redis: WithHit;

  constructor(redis: Redis) {
    redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: HIT });
    this.redis = redis as WithHit;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const tag = `{${key}:${throttlerName}}`;
    const answer = await this.redis[COMMAND](`${tag}:hits`, `${tag}:blocked`, ttl, limit, blockDuration);
    if (!Array.isArray(answer) || answer.length !== 3 || !answer.every((n) => typeof n === 'number'))
      throw new TypeError(`Redis answered the rate-limit script with ${JSON.stringify(answer)}`);
    const [totalHits, expireMs, blockMs] = answer as [number, number, number];
    return {
      totalHits,
      timeToExpire: Math.ceil(expireMs / 1000),
      isBlocked: blockMs > 0,
      timeToBlockExpire: Math.ceil(blockMs / 1000),
    };
  }

  /** Closes the connection (the limiter owns it); the requests in flight were counted. */
  disconnect(): void {
    this.redis.disconnect(false);
  }
}
