import type { FaultSettings } from './emulator.options';

/**
 * What a faulty call does: `drop` closes the connection, `lostAnswer` carries the call out and then
 * closes the connection before answering, `http5xx` answers 503 outside the envelope,
 * `systemError` answers 50000, `rateLimited` 40100, and `corruptFile` alters an upload's bytes in
 * transit, so TikTok's MD5 check refuses it (40900); `corruptFile` leaves other calls alone.
 */
export const FAULT_OUTCOMES = [
  'drop',
  'lostAnswer',
  'http5xx',
  'systemError',
  'rateLimited',
  'corruptFile',
] as const;
export type FaultOutcome = (typeof FAULT_OUTCOMES)[number];

/** A one-off fault for the next matching calls (admin API), e.g. "the next create/ answers 50000". */
export interface ScheduledFault {
  /** Path below /open_api/v1.3 (e.g. `/dmp/custom_audience/create/`); any path when absent. */
  path?: string;
  outcome: FaultOutcome;
  times: number;
}

/**
 * Decides, per API call, whether to inject a fault. Random draws come from a seeded generator
 * (mulberry32), so a run with the same seed and the same calls injects the same faults.
 */
export class FaultInjector {
  private state: number;
  private scheduled: ScheduledFault[] = [];

  constructor(
    private settings: FaultSettings,
    seed: number,
  ) {
    this.state = seed >>> 0;
  }

  get current(): FaultSettings & { scheduled: ScheduledFault[] } {
    return { ...this.settings, scheduled: this.scheduled.map((fault) => ({ ...fault })) };
  }

  configure(settings: Partial<FaultSettings>, seed?: number): void {
    this.settings = { ...this.settings, ...settings };
    if (seed !== undefined) this.state = seed >>> 0;
  }

  schedule(fault: ScheduledFault): void {
    this.scheduled.push({ ...fault });
  }

  clear(): void {
    this.scheduled = [];
  }

  /** The fault for this call, if any; latency is separate (see `latencyMs`). */
  next(path: string): FaultOutcome | undefined {
    const scheduled = this.scheduled.find((fault) => !fault.path || fault.path === path);
    if (scheduled) {
      scheduled.times--;
      if (scheduled.times <= 0) this.scheduled.splice(this.scheduled.indexOf(scheduled), 1);
      return scheduled.outcome;
    }
    if (this.settings.rateLimitBurst > 0) {
      this.settings.rateLimitBurst--;
      return 'rateLimited';
    }
    const draw = this.random();
    let threshold = this.settings.dropRate;
    if (draw < threshold) return 'drop';
    threshold += this.settings.lostAnswerRate;
    if (draw < threshold) return 'lostAnswer';
    threshold += this.settings.http5xxRate;
    if (draw < threshold) return 'http5xx';
    threshold += this.settings.systemErrorRate;
    if (draw < threshold) return 'systemError';
    return undefined;
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
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
