import { faultAdminAnswer, type FaultAdminPolicy } from './fault-admin';
import { NO_TEST_FAULTS, testInjector, type TestScheduled } from '../test/test-faults';

const invalidScheduled = (fault: Partial<TestScheduled>) =>
  fault.outcome ? undefined : 'outcome is required';
const setup = () => {
  const faults = testInjector();
  const policy: FaultAdminPolicy<TestScheduled> = {
    invalidSettings: (settings) => ('chaos' in settings ? 'unknown setting "chaos"' : undefined),
    invalidScheduled,
    scheduled: (fault) => ({ path: fault.path, outcome: fault.outcome as string, times: fault.times ?? 1 }),
  };
  return {
    faults,
    answer: (method: string, path: string, body = {}) => faultAdminAnswer(faults, policy, method, path, body),
  };
};

describe('faultAdminAnswer', () => {
  it('shows the settings and the scheduled faults', () => {
    const { answer } = setup();
    expect(answer('GET', '/faults')).toEqual({
      status: 200,
      body: { ...NO_TEST_FAULTS, scheduled: [] },
    });
  });

  it('changes settings and the seed, or says why not', () => {
    const { answer, faults } = setup();
    expect(answer('POST', '/faults', { aRate: 1, seed: 4 })).toMatchObject({
      status: 200,
      body: { aRate: 1 },
    });
    expect(faults.next('/x')).toEqual({ outcome: 'a' });
    expect(answer('POST', '/faults', { chaos: 1 })).toEqual({
      status: 400,
      body: { error: 'unknown setting "chaos"' },
    });
    expect(answer('POST', '/faults', { seed: 1.5 })).toEqual({
      status: 400,
      body: { error: 'seed must be an integer' },
    });
  });

  it('schedules a fault as the platform shapes it (once by default), or says why not', () => {
    const { answer, faults } = setup();
    expect(answer('POST', '/faults/next', { outcome: 'x', path: '/a', extra: 1 })).toMatchObject({
      status: 200,
      body: { scheduled: [{ path: '/a', outcome: 'x', times: 1 }] },
    });
    expect(answer('POST', '/faults/next', {})).toEqual({
      status: 400,
      body: { error: 'outcome is required' },
    });
    expect(answer('DELETE', '/faults/next')).toMatchObject({ status: 200, body: { scheduled: [] } });
    expect(faults.next('/a')).toBeUndefined();
  });

  it('leaves other routes to the emulator', () => {
    const { answer } = setup();
    expect(answer('GET', '/requests')).toBeUndefined();
    expect(answer('PUT', '/faults')).toBeUndefined();
  });
});
