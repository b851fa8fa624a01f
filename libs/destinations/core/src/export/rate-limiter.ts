/**
 * Paces requests to a provider under a limit shared by everyone calling with the same key (e.g.
 * TikTok's 10 QPS per developer app). In-memory for one process; a Redis-backed implementation
 * shares the budget across workers.
 */
export interface RequestRateLimiter {
  /** Resolves when one more request for `key` may be sent. */
  acquire(key: string): Promise<void>;
  /**
   * The provider asked to slow down (it throttled a request, or said its usage is near the limit): no
   * request for `key` leaves before `ms` from now, in any process sharing this limiter. A shorter
   * pause than one already running changes nothing.
   */
  pause(key: string, ms: number): Promise<void>;
}

export interface RateLimits {
  perSecond: number;
  perMinute?: number;
}

/** Sliding-window limiter for one process: waits (never rejects) until a slot frees up. */
export class InMemoryRateLimiter implements RequestRateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly queues = new Map<string, Promise<void>>();
  /** Per key, when a pause the provider asked for ends (clock milliseconds). */
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: { now(): number; sleep(ms: number): Promise<void> } = {
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    /** Told, after a request had to wait for its slot, how long it waited (metrics). */
    private readonly onWait?: (waitedMs: number) => void,
  ) {}

  acquire(key: string): Promise<void> {
    // Serialize callers per key so concurrent uploads take slots in order.
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.take(key));
    this.queues.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  async pause(key: string, ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    if (until > (this.pausedUntil.get(key) ?? 0)) this.pausedUntil.set(key, until);
  }

  private async take(key: string): Promise<void> {
    const startedAt = this.clock.now();
    let waited = false;
    for (;;) {
      const now = this.clock.now();
      const history = (this.sent.get(key) ?? []).filter((at) => now - at < 60_000);
      const lastSecond = history.filter((at) => now - at < 1000);
      const waitSecond = lastSecond.length >= this.limits.perSecond ? 1000 - (now - lastSecond[0]) : 0;
      const waitMinute =
        this.limits.perMinute !== undefined && history.length >= this.limits.perMinute
          ? 60_000 - (now - history[0])
          : 0;
      const waitPause = (this.pausedUntil.get(key) ?? 0) - now;
      const wait = Math.max(waitSecond, waitMinute, waitPause);
      if (wait <= 0) {
        history.push(now);
        this.sent.set(key, history);
        if (waited) this.onWait?.(now - startedAt);
        return;
      }
      this.sent.set(key, history);
      waited = true;
      await this.clock.sleep(wait + 1);
    }
  }
}
