import { DEFAULT_THROTTLE } from './emulator.options';
import { GraphApiError } from './graph-errors';
import { Throttle } from './throttle';

function errorOf(action: () => unknown): GraphApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof GraphApiError) return error;
    throw error;
  }
  throw new Error('expected a Graph error');
}

describe('Throttle', () => {
  it('allows calls + 40 × audiences per rolling window per ad account, at most the cap', () => {
    const throttle = new Throttle({ ...DEFAULT_THROTTLE, customAudienceCalls: 5000, perAudienceCalls: 40 });
    expect(throttle.limitFor(0)).toBe(5000);
    expect(throttle.limitFor(10)).toBe(5400);
    expect(throttle.limitFor(1_000_000)).toBe(700_000);
  });

  it('refuses with 80003/2446079 past the limit, says when access comes back, and forgets calls that left the window', () => {
    const throttle = new Throttle({
      ...DEFAULT_THROTTLE,
      customAudienceCalls: 2,
      perAudienceCalls: 0,
      windowMs: 600_000,
    });
    throttle.adAccount('1', 0, 0);
    const header = throttle.adAccount('1', 0, 60_000);
    expect(JSON.parse(header['x-business-use-case-usage'])).toEqual({
      '1': [
        expect.objectContaining({
          type: 'custom_audience',
          call_count: 100,
          estimated_time_to_regain_access: 0,
        }),
      ],
    });
    const refused = errorOf(() => throttle.adAccount('1', 0, 60_000));
    expect(refused).toMatchObject({
      code: 80003,
      extra: expect.objectContaining({ subcode: 2446079, status: 400 }),
    });
    expect(JSON.parse(refused.extra.headers?.['x-business-use-case-usage'] ?? '{}')['1'][0]).toMatchObject({
      call_count: 100,
      estimated_time_to_regain_access: 9,
    });
    // Another account has its own window.
    expect(() => throttle.adAccount('2', 0, 60_000)).not.toThrow();
    // The refused call was not counted: once the first call leaves the window, one more fits.
    expect(() => throttle.adAccount('1', 0, 600_000)).not.toThrow();
    expect(() => throttle.adAccount('1', 0, 600_000)).toThrow(GraphApiError);
  });

  it('refuses an app past its calls with code 4 and can be reset', () => {
    const throttle = new Throttle({ ...DEFAULT_THROTTLE, appCalls: 1 });
    expect(JSON.parse(throttle.app('app', 0)['x-app-usage'])).toEqual({
      call_count: 100,
      total_time: 100,
      total_cputime: 100,
    });
    expect(errorOf(() => throttle.app('app', 0)).code).toBe(4);
    throttle.reset();
    expect(() => throttle.app('app', 0)).not.toThrow();
  });
});
