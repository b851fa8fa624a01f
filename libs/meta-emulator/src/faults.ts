import {
  FaultInjector as SeededFaultInjector,
  invalidFaultSettings as invalidSettings,
  invalidOutcome,
  invalidTimes,
  type FaultPolicy,
} from '@conduit/emulator-kit';
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
  return (
    invalidOutcome(fault.outcome, FAULT_OUTCOMES) ??
    (fault.route !== undefined && (typeof fault.route !== 'string' || !/^[A-Z]+ \//.test(fault.route))
      ? 'route must name a route of the request log, e.g. "POST /{audience_id}/users"'
      : undefined) ??
    invalidTimes(fault.times, 1_000_000) ??
    invalidGraphError(fault)
  );
}

/** Why the Graph error of a `code` fault (code, subcode, status, message) is refused. */
function invalidGraphError(fault: Partial<ScheduledFault>): string | undefined {
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
  return invalidSettings(settings, known, RATES, MAX_DELAY_MS);
}

/** Meta's faults: by route as the request log names it; a `code` fault carries its Graph error. */
const META_FAULTS: FaultPolicy<MetaFaultSettings, ScheduledFault, InjectedFault> = {
  invalid: invalidScheduledFault,
  target: (fault) => fault.route,
  injected: ({ outcome, code, subcode, status, message }) => ({ outcome, code, subcode, status, message }),
  burst: { setting: 'throttleBurst', fault: { outcome: 'throttled' } },
  rates: [
    ['dropRate', { outcome: 'drop' }],
    ['lostAnswerRate', { outcome: 'lostAnswer' }],
    ['http5xxRate', { outcome: 'http5xx' }],
    ['transientRate', { outcome: 'transient' }],
    ['throttledRate', { outcome: 'throttled' }],
    ['cutBodyRate', { outcome: 'cutBody' }],
  ],
};

/** Decides, per Graph call (by route), whether to inject a fault and how long to hold it (seeded). */
export class FaultInjector extends SeededFaultInjector<MetaFaultSettings, ScheduledFault, InjectedFault> {
  constructor(settings: MetaFaultSettings, seed: number) {
    super(META_FAULTS, settings, seed);
  }
}
