import { FaultInjector, type FaultPolicy } from '../src/fault-injector';

/** A made-up platform for the kit's specs: two rates, a burst, latency. */
export interface TestSettings {
  aRate: number;
  bRate: number;
  burst: number;
  latencyMs: number;
  latencySpikeRate: number;
  latencySpikeMs: number;
}
export interface TestScheduled {
  path?: string;
  outcome: string;
  times: number;
}
export interface TestInjected {
  outcome: string;
  from?: string;
}

export const NO_TEST_FAULTS: TestSettings = {
  aRate: 0,
  bRate: 0,
  burst: 0,
  latencyMs: 0,
  latencySpikeRate: 0,
  latencySpikeMs: 0,
};

export const TEST_POLICY: FaultPolicy<TestSettings, TestScheduled, TestInjected> = {
  invalid: (fault) => (fault.times === 0 ? 'times must be >= 1' : undefined),
  target: (fault) => fault.path,
  injected: (fault) => ({ outcome: fault.outcome, from: 'schedule' }),
  burst: { setting: 'burst', fault: { outcome: 'busy' } },
  rates: [
    ['aRate', { outcome: 'a' }],
    ['bRate', { outcome: 'b' }],
  ],
};

export const testInjector = (settings: Partial<TestSettings> = {}, seed = 1) =>
  new FaultInjector(TEST_POLICY, { ...NO_TEST_FAULTS, ...settings }, seed);
