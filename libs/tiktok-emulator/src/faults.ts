import type { FaultSettings } from './emulator.options';
import { TIKTOK_MESSAGES } from './tiktok-codes';

/**
 * What a faulty call does.
 * - Transport: `drop` closes the connection before TikTok does anything; `lostAnswer` carries the
 *   call out, then closes the connection before answering; `cutBody` carries it out and sends the
 *   answer's headers and half of its JSON body, then destroys the socket; `http5xx` answers 503
 *   outside the envelope.
 * - Codes: `systemError` answers 50000, `rateLimited` 40100, `code` the TikTok code given with the
 *   fault (e.g. 40001, 40105, 40002, 40905) with TikTok's message; none of them carries the call out.
 *   `corruptFile` alters an upload's bytes in transit, so TikTok's MD5 check refuses it (40900), and
 *   leaves other calls alone.
 * - Malformed answers (HTTP 200, the call not carried out): `notJson` an HTML page, `noEnvelope`
 *   JSON without code/message/data, `hugeBody` a ~20 MB JSON body streamed; `missingFields` carries
 *   the call out and answers a valid envelope whose `data` lacks the fields a client acts on for that
 *   path (see MISSING_FIELDS).
 */
export const FAULT_OUTCOMES = [
  'drop',
  'lostAnswer',
  'cutBody',
  'http5xx',
  'systemError',
  'rateLimited',
  'code',
  'corruptFile',
  'notJson',
  'noEnvelope',
  'hugeBody',
  'missingFields',
] as const;
export type FaultOutcome = (typeof FAULT_OUTCOMES)[number];

/** A one-off fault for the next matching calls (admin API), e.g. "the next create/ answers 50000". */
export interface ScheduledFault {
  /** Path below /open_api/v1.3 (e.g. `/dmp/custom_audience/create/`); any path when absent. */
  path?: string;
  outcome: FaultOutcome;
  times: number;
  /** With outcome `code`: the TikTok code to answer (non-zero). */
  code?: number;
  /** With outcome `code`: the message (default: TikTok's for that code). */
  message?: string;
}

/** The fault one call gets: its outcome, and the code and message of a `code` fault. */
export interface InjectedFault {
  outcome: FaultOutcome;
  code?: number;
  message?: string;
}

/** Why a scheduled fault is refused (admin API), or undefined when it is fine. */
export function invalidScheduledFault(fault: Partial<ScheduledFault>): string | undefined {
  if (!(FAULT_OUTCOMES as readonly string[]).includes(String(fault.outcome)))
    return `outcome must be one of ${FAULT_OUTCOMES.join(', ')}`;
  if (fault.path !== undefined && (typeof fault.path !== 'string' || !fault.path.startsWith('/')))
    return 'path must be an API path such as /dmp/custom_audience/create/';
  if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1))
    return 'times must be a whole number >= 1';
  if (fault.outcome === 'code' && (!Number.isInteger(fault.code) || fault.code === 0))
    return 'outcome "code" needs a non-zero integer code, e.g. {"outcome": "code", "code": 40105}';
  if (fault.message !== undefined && typeof fault.message !== 'string') return 'message must be a string';
  return undefined;
}

/** Fault settings that are fractions of the calls (the others are counts and durations). */
const RATES = [
  'dropRate',
  'lostAnswerRate',
  'http5xxRate',
  'systemErrorRate',
  'rateLimitedRate',
  'cutBodyRate',
  'latencySpikeRate',
] as const satisfies readonly (keyof FaultSettings)[];

/** Why fault settings are refused (admin API), or undefined when they are fine. */
export function invalidFaultSettings(
  settings: Record<string, unknown>,
  known: FaultSettings,
): string | undefined {
  for (const [name, value] of Object.entries(settings)) {
    const rate = (RATES as readonly string[]).includes(name);
    if (
      !(name in known) ||
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (rate && value > 1)
    )
      return `Unknown or invalid fault setting "${name}"; numbers >= 0 for ${Object.keys(known).join(', ')} (the *Rate ones at most 1)`;
  }
  return undefined;
}

/**
 * Decides, per API call, whether to inject a fault and how long to make it wait. Random draws come
 * from a seeded generator (mulberry32), so a run with the same seed and the same calls injects the
 * same faults. A call draws once for its outcome, and once more for a latency spike only when spikes
 * are on: sequences recorded before spikes existed stay the same.
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

  /** The fault for this call, if any; latency is separate (see `delayMs`). */
  next(path: string): InjectedFault | undefined {
    const scheduled = this.scheduled.find((fault) => !fault.path || fault.path === path);
    if (scheduled) {
      scheduled.times--;
      if (scheduled.times <= 0) this.scheduled.splice(this.scheduled.indexOf(scheduled), 1);
      if (scheduled.outcome !== 'code') return { outcome: scheduled.outcome };
      const code = scheduled.code as number;
      return {
        outcome: 'code',
        code,
        message: scheduled.message ?? TIKTOK_MESSAGES[code] ?? 'Request failed.',
      };
    }
    if (this.settings.rateLimitBurst > 0) {
      this.settings.rateLimitBurst--;
      return { outcome: 'rateLimited' };
    }
    const draw = this.random();
    let threshold = 0;
    // The order of the first four is the order before the others existed (same seed, same faults).
    for (const [rate, outcome] of [
      ['dropRate', 'drop'],
      ['lostAnswerRate', 'lostAnswer'],
      ['http5xxRate', 'http5xx'],
      ['systemErrorRate', 'systemError'],
      ['rateLimitedRate', 'rateLimited'],
      ['cutBodyRate', 'cutBody'],
    ] as const) {
      threshold += this.settings[rate];
      if (draw < threshold) return { outcome };
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
