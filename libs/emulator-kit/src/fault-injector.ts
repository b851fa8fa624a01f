/** The latency every emulator adds: a fixed wait, plus a spike for a fraction of the calls. */
export interface LatencySettings {
  latencyMs: number;
  /** Fraction [0, 1] of the calls that wait `latencySpikeMs` more. */
  latencySpikeRate: number;
  latencySpikeMs: number;
}

/** The names of the numeric fields of `T` (rates, counts, durations). */
export type NumericKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T] & string;

/** What every scheduled fault has: how many more calls it applies to. */
export interface ScheduledFaultBase {
  times: number;
}

/** What differs from one platform to the next: where a fault aims, what it injects, which rates. */
export interface FaultPolicy<Settings, Scheduled extends ScheduledFaultBase, Injected extends object> {
  /** Why a scheduled fault is refused, or undefined when it is fine (`schedule` checks it). */
  invalid(fault: Partial<Scheduled>): string | undefined;
  /** The path or route a scheduled fault applies to; every call when undefined. */
  target(fault: Scheduled): string | undefined;
  /** What a scheduled fault injects into the call it applies to. */
  injected(fault: Scheduled): Injected;
  /** A count setting: while above zero, each call gets `fault` and lowers it by one. */
  burst: { setting: NumericKey<Settings>; fault: Injected };
  /**
   * The rate settings drawn, in this order (the order is part of a seed's sequence: a new rate goes
   * last, or recorded sequences change).
   */
  rates: readonly (readonly [NumericKey<Settings>, Injected])[];
}

/**
 * Decides, per call, whether to inject a fault and how long to make it wait. Random draws come from a
 * seeded generator (mulberry32), so a run with the same seed and the same calls injects the same
 * faults. A call draws once for its outcome, and once more for a latency spike only when spikes are
 * on: sequences recorded before spikes existed stay the same.
 */
export class FaultInjector<
  Settings extends LatencySettings,
  Scheduled extends ScheduledFaultBase,
  Injected extends object,
> {
  private state: number;
  private scheduled: Scheduled[] = [];

  constructor(
    private readonly policy: FaultPolicy<Settings, Scheduled, Injected>,
    private settings: Settings,
    seed: number,
  ) {
    this.state = seed >>> 0;
  }

  get current(): Settings & { scheduled: Scheduled[] } {
    return { ...this.settings, scheduled: this.scheduled.map((fault) => ({ ...fault })) };
  }

  configure(settings: Partial<Settings>, seed?: number): void {
    this.settings = { ...this.settings, ...settings };
    if (seed !== undefined) this.state = seed >>> 0;
  }

  /** Schedules a one-off fault for the next matching calls; throws when the policy refuses it. */
  schedule(fault: Scheduled): void {
    const invalid = this.policy.invalid(fault);
    if (invalid) throw new Error(invalid);
    this.scheduled.push({ ...fault });
  }

  clear(): void {
    this.scheduled = [];
  }

  /** The fault for this call (by its path or route), if any; latency is separate (see `delayMs`). */
  next(target: string): Injected | undefined {
    const scheduled = this.scheduled.find((fault) => {
      const aim = this.policy.target(fault);
      return !aim || aim === target;
    });
    if (scheduled) {
      scheduled.times--;
      if (scheduled.times <= 0) this.scheduled.splice(this.scheduled.indexOf(scheduled), 1);
      return this.policy.injected(scheduled);
    }
    const { setting, fault } = this.policy.burst;
    // The settings object is the one given (e.g. the options' own): a burst is used up in place.
    const counts = this.settings as unknown as Record<string, number>;
    if (counts[setting] > 0) {
      counts[setting]--;
      return { ...fault };
    }
    const draw = this.random();
    let threshold = 0;
    for (const [rate, outcome] of this.policy.rates) {
      threshold += counts[rate];
      if (draw < threshold) return { ...outcome };
    }
    return undefined;
  }

  /** How long this call waits before it is handled: the fixed latency, plus a spike now and then. */
  delayMs(): number {
    const spike =
      this.settings.latencySpikeRate > 0 && this.random() < this.settings.latencySpikeRate
        ? this.settings.latencySpikeMs
        : 0;
    return this.settings.latencyMs + spike;
  }

  private random(): number {
    // mulberry32
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
