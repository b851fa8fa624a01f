import {
  FaultInjector as SeededFaultInjector,
  invalidFaultSettings as invalidSettings,
  invalidOutcome,
  invalidTimes,
  type FaultPolicy,
} from '@conduit/emulator-kit';
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
  return (
    invalidOutcome(fault.outcome, FAULT_OUTCOMES) ??
    (fault.path !== undefined && (typeof fault.path !== 'string' || !fault.path.startsWith('/'))
      ? 'path must be an API path such as /dmp/custom_audience/create/'
      : undefined) ??
    invalidTimes(fault.times) ??
    (fault.outcome === 'code' && (!Number.isInteger(fault.code) || fault.code === 0)
      ? 'outcome "code" needs a non-zero integer code, e.g. {"outcome": "code", "code": 40105}'
      : undefined) ??
    (fault.message !== undefined && typeof fault.message !== 'string'
      ? 'message must be a string'
      : undefined)
  );
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
  return invalidSettings(settings, known, RATES);
}

/** TikTok's faults: by API path; a `code` fault answers TikTok's message for its code by default. */
const TIKTOK_FAULTS: FaultPolicy<FaultSettings, ScheduledFault, InjectedFault> = {
  invalid: invalidScheduledFault,
  target: (fault) => fault.path,
  injected: (fault) => {
    if (fault.outcome !== 'code') return { outcome: fault.outcome };
    const code = fault.code as number;
    return { outcome: 'code', code, message: fault.message ?? TIKTOK_MESSAGES[code] ?? 'Request failed.' };
  },
  burst: { setting: 'rateLimitBurst', fault: { outcome: 'rateLimited' } },
  // The order of the first four is the order before the others existed (same seed, same faults).
  rates: [
    ['dropRate', { outcome: 'drop' }],
    ['lostAnswerRate', { outcome: 'lostAnswer' }],
    ['http5xxRate', { outcome: 'http5xx' }],
    ['systemErrorRate', { outcome: 'systemError' }],
    ['rateLimitedRate', { outcome: 'rateLimited' }],
    ['cutBodyRate', { outcome: 'cutBody' }],
  ],
};

/** Decides, per API call (by path), whether to inject a fault and how long to make it wait (seeded). */
export class FaultInjector extends SeededFaultInjector<FaultSettings, ScheduledFault, InjectedFault> {
  constructor(settings: FaultSettings, seed: number) {
    super(TIKTOK_FAULTS, settings, seed);
  }
}
