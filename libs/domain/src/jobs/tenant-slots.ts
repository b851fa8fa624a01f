import type { Queue } from 'bullmq';

/**
 * How long a slot is held without renewal: a worker killed mid-job frees its company's slots after
 * this. Renewed every third of it while the job runs, so only a process stalled for 15 s (or dead)
 * loses its slots; the chaos suite measured a minute's stall per kill with 60 s.
 */
const LEASE_MS = 15_000;

/**
 * Take a slot if the company holds fewer than `limit` live ones (expired leases are dropped first).
 * A sorted set per company: members are job ids, scores the lease deadlines. Atomic in Redis, so
 * workers on many machines agree.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

export interface SlotLease {
  release(): Promise<void>;
}

/** Per-company running-job slots shared by every BullMQ worker, with leases a dead worker cannot keep. */
export class TenantSlots {
  constructor(
    private readonly queue: Queue,
    private readonly keyPrefix: string,
  ) {}

  async acquire(companyId: string, holder: string, limit: number): Promise<SlotLease | undefined> {
    const key = `${this.keyPrefix}:${companyId}`;
    const client = await this.queue.client;
    const take = () => {
      const now = Date.now();
      return client.eval(
        ACQUIRE,
        1,
        key,
        now,
        now + LEASE_MS,
        holder,
        limit,
        2 * LEASE_MS,
      ) as Promise<number>;
    };
    if ((await take()) !== 1) return undefined;
    // Renewed while the job runs (a long materialization outlives one lease).
    const renewal = setInterval(() => void take().catch(() => undefined), LEASE_MS / 3);
    renewal.unref();
    return {
      release: async () => {
        clearInterval(renewal);
        await client.zrem(key, holder).catch(() => undefined);
      },
    };
  }
}
