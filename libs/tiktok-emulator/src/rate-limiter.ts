/** Sliding one-second and one-minute windows per developer app, as TikTok counts QPS and QPM. */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(private readonly limits: { perSecond: number; perMinute: number }) {}

  /**
   * Records a call at `now` (epoch ms, from the emulator's clock) and returns true, or returns false
   * (not recorded) when a window is full.
   */
  tryAcquire(appId: string, now: number): boolean {
    const history = (this.calls.get(appId) ?? []).filter((at) => now - at < 60_000);
    const lastSecond = history.filter((at) => now - at < 1000).length;
    if (lastSecond >= this.limits.perSecond || history.length >= this.limits.perMinute) {
      this.calls.set(appId, history);
      return false;
    }
    history.push(now);
    this.calls.set(appId, history);
    return true;
  }

  reset(): void {
    this.calls.clear();
  }
}
