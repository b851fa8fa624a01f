import type { MetaFaultSettings } from './emulator.options';

/**
 * What a faulty Graph call does.
 * - Transport: `drop` closes the connection before Meta does anything; `lostAnswer` carries the call
 *   out, then closes the connection; `cutBody` carries it out and sends half of the JSON answer;
 *   `http5xx` answers 503 "Service Unavailable" in plain text (a gateway, no envelope).
 * - Graph errors, the call not carried out: `transient` code 2 (HTTP 500, `is_transient`),
 *   `unknown` code 1 (HTTP 500), `throttled` 80003/2446079 with a full usage header, `code` any
 *   code/subcode/status given with the fault (e.g. 190/463, 2650/1870145, 368).
 * - Malformed answers, the call not carried out: `notJson` an HTML page (HTTP 200),
 *   `serviceUnavailable200` the text "Service Unavailable" with HTTP 200 (Meta's SDK checks for it),
 *   `hugeBody` a ~20 MB JSON body streamed; `missingFields` carries the call out and leaves out of
 *   the answer the fields a connector acts on (see USED_FIELDS).
 */
export const FAULT_OUTCOMES = [
  'drop',
  'lostAnswer',
  'cutBody',
  'http5xx',
  'transient',
  'unknown',
  'throttled',
  'code',
  'notJson',
  'serviceUnavailable200',
  'hugeBody',
  'missingFields',
] as const;
export type FaultOutcome = (typeof FAULT_OUTCOMES)[number];

/** A one-off fault for the next matching calls (admin API), e.g. "the next users POST answers 2". */
export interface ScheduledFault {
  /** A route as the request log names it (`POST /{audience_id}/users`); any route when absent. */
  route?: string;
  outcome: FaultOutcome;
  times: number;
  /** With outcome `code`: the Graph code, and optionally its subcode, HTTP status and message. */
  code?: number;
  subcode?: number;
  status?: number;
  message?: string;
}

export interface InjectedFault {
  outcome: FaultOutcome;
  code?: number;
  subcode?: number;
  status?: number;
  message?: string;
}

/** Why a scheduled fault is refused (admin API), or undefined when it is fine. */
export function invalidScheduledFault(fault: Partial<ScheduledFault>): string | undefined {
  if (!(FAULT_OUTCOMES as readonly string[]).includes(String(fault.outcome)))
    return `outcome must be one of ${FAULT_OUTCOMES.join(', ')}`;
  if (fault.route !== undefined && (typeof fault.route !== 'string' || !/^[A-Z]+ \//.test(fault.route)))
    return 'route must name a route of the request log, e.g. "POST /{audience_id}/users"';
  if (
    fault.times !== undefined &&
    (!Number.isInteger(fault.times) || fault.times < 1 || fault.times > 1_000_000)
  )
    return 'times must be a whole number between 1 and 1,000,000';
  if (fault.outcome === 'code' && (!Number.isInteger(fault.code) || (fault.code as number) <= 0))
    return 'outcome "code" needs a positive integer code, e.g. {"outcome": "code", "code": 190, "subcode": 463}';
  if (fault.subcode !== undefined && !Number.isInteger(fault.subcode)) return 'subcode must be an integer';
  if (
    fault.status !== undefined &&
    (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599)
  )
    return 'status must be an HTTP status between 200 and 599';
  if (fault.message !== undefined && (typeof fault.message !== 'string' || fault.message.length > 1000))
    return 'message must be a string of at most 1000 characters';
  return undefined;
}

const RATES = [
  'dropRate',
  'lostAnswerRate',
  'http5xxRate',
  'transientRate',
  'throttledRate',
  'cutBodyRate',
  'latencySpikeRate',
] as const satisfies readonly (keyof MetaFaultSettings)[];

/** Durations are bounded: a fault must not hold a test (or the process) for more than 10 minutes. */
const MAX_DELAY_MS = 600_000;

/** Why fault settings are refused (admin API), or undefined when they are fine. */
export function invalidFaultSettings(
  settings: Record<string, unknown>,
  known: MetaFaultSettings,
): string | undefined {
  for (const [name, value] of Object.entries(settings)) {
    const rate = (RATES as readonly string[]).includes(name);
    if (
      !(name in known) ||
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (rate && value > 1) ||
      (!rate && value > MAX_DELAY_MS)
    )
      return `Unknown or invalid fault setting "${name}"; numbers >= 0 for ${Object.keys(known).join(', ')} (the *Rate ones at most 1, the others at most ${MAX_DELAY_MS})`;
  }
  return undefined;
}

/**
 * Decides, per Graph call, whether to inject a fault and how long to hold it. Random draws come from
 * a seeded generator (mulberry32): the same seed and the same calls inject the same faults.
 */
export class FaultInjector {
  private state: number;
  private scheduled: ScheduledFault[] = [];

  constructor(
    private settings: MetaFaultSettings,
    seed: number,
  ) {
    this.state = seed >>> 0;
  }

  get current(): MetaFaultSettings & { scheduled: ScheduledFault[] } {
    return { ...this.settings, scheduled: this.scheduled.map((fault) => ({ ...fault })) };
  }

  configure(settings: Partial<MetaFaultSettings>, seed?: number): void {
    this.settings = { ...this.settings, ...settings };
    if (seed !== undefined) this.state = seed >>> 0;
  }

  schedule(fault: ScheduledFault): void {
    this.scheduled.push({ ...fault });
  }

  clear(): void {
    this.scheduled = [];
  }

  next(route: string): InjectedFault | undefined {
    const scheduled = this.scheduled.find((fault) => !fault.route || fault.route === route);
    if (scheduled) {
      scheduled.times--;
      if (scheduled.times <= 0) this.scheduled.splice(this.scheduled.indexOf(scheduled), 1);
      const { outcome, code, subcode, status, message } = scheduled;
      return { outcome, code, subcode, status, message };
    }
    if (this.settings.throttleBurst > 0) {
      this.settings.throttleBurst--;
      return { outcome: 'throttled' };
    }
    const draw = this.random();
    let threshold = 0;
    for (const [rate, outcome] of [
      ['dropRate', 'drop'],
      ['lostAnswerRate', 'lostAnswer'],
      ['http5xxRate', 'http5xx'],
      ['transientRate', 'transient'],
      ['throttledRate', 'throttled'],
      ['cutBodyRate', 'cutBody'],
    ] as const) {
      threshold += this.settings[rate];
      if (draw < threshold) return { outcome };
    }
    return undefined;
  }

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
