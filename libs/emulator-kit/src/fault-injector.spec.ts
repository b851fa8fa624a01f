import { FaultInjector } from './fault-injector';
import {
  NO_TEST_FAULTS,
  TEST_POLICY,
  testInjector as injector,
  type TestInjected,
  type TestSettings,
} from '../test/test-faults';

describe('FaultInjector', () => {
  it('draws the same outcomes for the same seed, only among the rates that are on', () => {
    const draw = (seed: number) => {
      const faults = injector({ aRate: 0.3, bRate: 0.1 }, seed);
      return Array.from({ length: 60 }, () => faults.next('/x')?.outcome ?? 'none');
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(new Set(draw(7))).toEqual(new Set(['none', 'a', 'b']));
    expect(injector({ aRate: 1 }).next('/x')).toEqual({ outcome: 'a' });
  });

  it('restarts its sequence when configured with a seed', () => {
    const faults = injector({ aRate: 0.5 }, 3);
    const first = Array.from({ length: 20 }, () => faults.next('/x')?.outcome);
    faults.configure({}, 3);
    expect(Array.from({ length: 20 }, () => faults.next('/x')?.outcome)).toEqual(first);
  });

  it('serves scheduled faults first, on their target only, as many times as asked', () => {
    const faults = injector({ aRate: 1 });
    faults.schedule({ path: '/create', outcome: 'code', times: 2 });
    faults.schedule({ outcome: 'any', times: 1 });
    expect(faults.current.scheduled).toHaveLength(2);
    expect(faults.next('/create')).toEqual({ outcome: 'code', from: 'schedule' });
    expect(faults.next('/list')).toEqual({ outcome: 'any', from: 'schedule' });
    expect(faults.next('/create')).toEqual({ outcome: 'code', from: 'schedule' });
    expect(faults.next('/create')).toEqual({ outcome: 'a' });
    expect(faults.current.scheduled).toEqual([]);
  });

  it('refuses a scheduled fault its policy refuses', () => {
    const faults = injector();
    expect(() => faults.schedule({ outcome: 'code', times: 0 })).toThrow(new Error('times must be >= 1'));
    expect(faults.current.scheduled).toEqual([]);
  });

  it('forgets scheduled faults on clear, and keeps its own copy of each', () => {
    const faults = injector();
    const fault = { outcome: 'code', times: 1 };
    faults.schedule(fault);
    fault.times = 5;
    expect(faults.current.scheduled).toEqual([{ outcome: 'code', times: 1 }]);
    faults.clear();
    expect(faults.next('/x')).toBeUndefined();
  });

  it('answers a burst, using it up in the settings given, then draws again', () => {
    const settings = { ...NO_TEST_FAULTS, burst: 2 };
    const faults = new FaultInjector(TEST_POLICY, settings, 1);
    expect(faults.next('/x')).toEqual({ outcome: 'busy' });
    expect(faults.next('/x')).toEqual({ outcome: 'busy' });
    expect(faults.next('/x')).toBeUndefined();
    expect(settings.burst).toBe(0);
  });

  it('hands out copies: a caller changing a fault changes no later one', () => {
    const faults = injector({ burst: 2 });
    const first = faults.next('/x') as TestInjected;
    first.outcome = 'changed';
    expect(faults.next('/x')).toEqual({ outcome: 'busy' });
  });

  it('adds the fixed latency, and a spike for the share of calls asked', () => {
    expect(injector({ latencyMs: 10 }).delayMs()).toBe(10);
    expect(injector({ latencyMs: 10, latencySpikeRate: 1, latencySpikeMs: 90 }).delayMs()).toBe(100);
    expect(injector({ latencySpikeRate: 0, latencySpikeMs: 90 }).delayMs()).toBe(0);
  });

  it('draws for a spike only when spikes are on (the outcome sequence stays the same)', () => {
    const outcomes = (settings: Partial<TestSettings>) => {
      const faults = injector({ aRate: 0.5, ...settings }, 9);
      return Array.from({ length: 20 }, () => (faults.delayMs(), faults.next('/x')?.outcome));
    };
    expect(outcomes({ latencyMs: 5 })).toEqual(outcomes({}));
    expect(outcomes({ latencySpikeRate: 0.5, latencySpikeMs: 1 })).not.toEqual(outcomes({}));
  });
});
