import { NO_FAULTS } from './emulator.options';
import { FaultInjector, invalidFaultSettings, invalidScheduledFault } from './faults';

describe('FaultInjector', () => {
  it('draws the same outcomes for the same seed', () => {
    const draw = (seed: number) => {
      const faults = new FaultInjector({ ...NO_FAULTS, transientRate: 0.3, dropRate: 0.1 }, seed);
      return Array.from({ length: 50 }, () => faults.next('GET /me')?.outcome ?? 'none');
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(new Set(draw(3))).toEqual(new Set(['none', 'transient', 'drop']));
  });

  it('serves scheduled faults first, on their route only, as many times as asked', () => {
    const faults = new FaultInjector(NO_FAULTS, 1);
    faults.schedule({
      route: 'POST /{audience_id}/users',
      outcome: 'code',
      code: 2650,
      subcode: 1870145,
      times: 2,
    });
    expect(faults.next('GET /me')).toBeUndefined();
    expect(faults.next('POST /{audience_id}/users')).toEqual({
      outcome: 'code',
      code: 2650,
      subcode: 1870145,
      status: undefined,
      message: undefined,
    });
    expect(faults.next('POST /{audience_id}/users')?.outcome).toBe('code');
    expect(faults.next('POST /{audience_id}/users')).toBeUndefined();
  });

  it('answers a throttle burst, then nothing', () => {
    const faults = new FaultInjector({ ...NO_FAULTS, throttleBurst: 1 }, 1);
    expect(faults.next('GET /me')?.outcome).toBe('throttled');
    expect(faults.next('GET /me')).toBeUndefined();
  });

  it('adds latency and spikes', () => {
    expect(new FaultInjector({ ...NO_FAULTS, latencyMs: 10 }, 1).delayMs()).toBe(10);
    expect(
      new FaultInjector(
        { ...NO_FAULTS, latencyMs: 10, latencySpikeRate: 1, latencySpikeMs: 90 },
        1,
      ).delayMs(),
    ).toBe(100);
  });
});

describe('fault validation', () => {
  it('refuses unknown settings, rates above 1 and delays above 10 minutes', () => {
    expect(invalidFaultSettings({ transientRate: 0.5, latencyMs: 100 }, NO_FAULTS)).toBeUndefined();
    expect(invalidFaultSettings({ chaos: 1 }, NO_FAULTS)).toMatch(/"chaos"/);
    expect(invalidFaultSettings({ dropRate: 1.5 }, NO_FAULTS)).toMatch(/"dropRate"/);
    expect(invalidFaultSettings({ latencyMs: 600_001 }, NO_FAULTS)).toMatch(/"latencyMs"/);
  });

  it('refuses scheduled faults without what their outcome needs', () => {
    expect(invalidScheduledFault({ outcome: 'transient', route: 'GET /me', times: 3 })).toBeUndefined();
    expect(invalidScheduledFault({ outcome: 'code', code: 190, subcode: 463, status: 400 })).toBeUndefined();
    expect(invalidScheduledFault({ outcome: 'code' })).toMatch(/positive integer code/);
    expect(invalidScheduledFault({ outcome: 'drop', route: 'me' })).toMatch(/route must name/);
    expect(invalidScheduledFault({ outcome: 'drop', times: 0 })).toMatch(/times/);
    expect(invalidScheduledFault({ outcome: 'code', code: 1, status: 99 })).toMatch(/status/);
  });
});
