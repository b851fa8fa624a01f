import { InvalidEnvironmentError, validateEnv } from '@conduit/config';
import { SYSTEM_CLOCK } from '@conduit/tiktok-emulator';
import { EmulatorEnv } from '../src/emulator.env';
import { emulatorOptionsFrom } from '../src/emulator-options';

describe('TikTok emulator configuration', () => {
  it('has working defaults', () => {
    const options = emulatorOptionsFrom(validateEnv(EmulatorEnv, {}));
    expect(options.apps[0]).toMatchObject({
      appId: '7100000000000000001',
      redirectUris: [
        'http://localhost:3000/oauth/callback/tiktok',
        'http://127.0.0.1:3000/oauth/callback/tiktok',
      ],
    });
    expect(options.advertisers).toEqual([
      { advertiserId: '7200000000000000001', name: 'Emulated Advertiser One' },
      { advertiserId: '7200000000000000002', name: 'Emulated Advertiser Two' },
    ]);
    expect(options).toMatchObject({
      rateLimit: { perSecond: 10, perMinute: 600 },
      maxFileBytes: 250 * 1024 * 1024,
      minAudienceSizeAfterUpdate: 1000,
    });
    expect(options.clock).toBe(SYSTEM_CLOCK);
  });

  it('reads apps, advertisers, limits and faults from the environment', () => {
    const options = emulatorOptionsFrom(
      validateEnv(EmulatorEnv, {
        TIKTOK_EMULATOR_ADVERTISERS: '1:Brand One, 2:Two',
        TIKTOK_EMULATOR_RATE_LIMIT_QPS: '1',
        TIKTOK_EMULATOR_FAULT_SYSTEM_ERROR_RATE: '0.25',
        TIKTOK_EMULATOR_FAULT_RATE_LIMITED_RATE: '0.05',
        TIKTOK_EMULATOR_FAULT_CUT_BODY_RATE: '0.01',
        TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_RATE: '0.05',
        TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_MS: '5000',
        TIKTOK_EMULATOR_MAX_FILE_MB: '5',
      }),
    );
    expect(options.advertisers).toEqual([
      { advertiserId: '1', name: 'Brand One' },
      { advertiserId: '2', name: 'Two' },
    ]);
    expect(options.rateLimit.perSecond).toBe(1);
    expect(options.faults).toMatchObject({
      systemErrorRate: 0.25,
      rateLimitedRate: 0.05,
      cutBodyRate: 0.01,
      latencySpikeRate: 0.05,
      latencySpikeMs: 5000,
    });
    expect(options.maxFileBytes).toBe(5 * 1024 * 1024);
  });

  it('lists every invalid variable', () => {
    expect(() =>
      validateEnv(EmulatorEnv, {
        TIKTOK_EMULATOR_PORT: 'x',
        TIKTOK_EMULATOR_ADVERTISERS: 'nope',
        TIKTOK_EMULATOR_FAULT_DROP_RATE: '2',
        TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_RATE: '1.5',
      }),
    ).toThrow(InvalidEnvironmentError);
    try {
      validateEnv(EmulatorEnv, {
        TIKTOK_EMULATOR_PORT: 'x',
        TIKTOK_EMULATOR_ADVERTISERS: 'nope',
        TIKTOK_EMULATOR_FAULT_DROP_RATE: '2',
        TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_RATE: '1.5',
      });
    } catch (error) {
      expect(
        (error as InvalidEnvironmentError).problems.map((problem) => problem.split(':')[0]).sort(),
      ).toEqual([
        'TIKTOK_EMULATOR_ADVERTISERS',
        'TIKTOK_EMULATOR_FAULT_DROP_RATE',
        'TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_RATE',
        'TIKTOK_EMULATOR_PORT',
      ]);
    }
  });
});
