import { InvalidEnvironmentError, validateEnv } from '@conduit/config';
import { SYSTEM_CLOCK } from '@conduit/meta-emulator';
import { MetaEmulatorEnv } from '../src/emulator.env';
import { emulatorOptionsFrom } from '../src/emulator-options';

describe('Meta emulator configuration', () => {
  it('has working defaults: port 3200, Graph v25.0, one account with the terms accepted and one without', () => {
    const env = validateEnv(MetaEmulatorEnv, {});
    expect(env.META_EMULATOR_PORT).toBe(3200);
    const options = emulatorOptionsFrom(env);
    expect(options.apps[0]).toMatchObject({
      appId: '1100000000000001',
      redirectUris: [
        'http://localhost:3000/oauth/callback/meta',
        'http://127.0.0.1:3000/oauth/callback/meta',
      ],
    });
    expect(options.adAccounts).toEqual([
      { id: '1200000000000001', name: 'Emulated Ad Account One', termsAccepted: true },
      { id: '1200000000000002', name: 'Emulated Ad Account Two (terms not accepted)', termsAccepted: false },
    ]);
    expect(options).toMatchObject({
      graphVersion: 'v25.0',
      longTokenTtlMs: 60 * 86_400_000,
      maxAudiencesPerAdAccount: 500,
      maxRowsPerRequest: 10_000,
      replaceWindowMs: 90 * 60_000,
      throttle: { customAudienceCalls: 5000, windowMs: 3_600_000, httpStatus: 400 },
    });
    expect(options.requireAppSecretProof).toBe(false);
    expect(options.clock).toBe(SYSTEM_CLOCK);
  });

  it('reads the app, ad accounts, version, limits and faults from the environment', () => {
    const options = emulatorOptionsFrom(
      validateEnv(MetaEmulatorEnv, {
        META_EMULATOR_APP_ID: '42',
        META_EMULATOR_REDIRECT_URIS: 'https://a.example/cb, https://b.example/cb/',
        META_EMULATOR_AD_ACCOUNTS: '1:Shop One:0, 2:Shop Two:1',
        META_EMULATOR_GRAPH_VERSION: 'v26.0',
        META_EMULATOR_CUSTOM_AUDIENCE_CALLS_PER_HOUR: '10',
        META_EMULATOR_THROTTLE_HTTP_STATUS: '429',
        META_EMULATOR_FAULT_TRANSIENT_RATE: '0.25',
        META_EMULATOR_FAULT_CUT_BODY_RATE: '0.01',
        META_EMULATOR_REQUIRE_APPSECRET_PROOF: 'true',
      }),
    );
    expect(options.apps[0]).toMatchObject({
      appId: '42',
      redirectUris: ['https://a.example/cb', 'https://b.example/cb/'],
    });
    expect(options.adAccounts).toEqual([
      { id: '1', name: 'Shop One', termsAccepted: false },
      { id: '2', name: 'Shop Two', termsAccepted: true },
    ]);
    expect(options.graphVersion).toBe('v26.0');
    expect(options.requireAppSecretProof).toBe(true);
    expect(options.throttle).toMatchObject({ customAudienceCalls: 10, httpStatus: 429 });
    expect(options.faults).toMatchObject({ transientRate: 0.25, cutBodyRate: 0.01, dropRate: 0 });
  });

  it('lists every invalid variable at once', () => {
    const invalid = {
      META_EMULATOR_PORT: 'x',
      META_EMULATOR_AD_ACCOUNTS: 'nope',
      META_EMULATOR_GRAPH_VERSION: '25',
      META_EMULATOR_FAULT_DROP_RATE: '2',
      META_EMULATOR_THROTTLE_HTTP_STATUS: '503',
    };
    expect(() => validateEnv(MetaEmulatorEnv, invalid)).toThrow(InvalidEnvironmentError);
    try {
      validateEnv(MetaEmulatorEnv, invalid);
    } catch (error) {
      expect(
        (error as InvalidEnvironmentError).problems.map((problem) => problem.split(':')[0]).sort(),
      ).toEqual([
        'META_EMULATOR_AD_ACCOUNTS',
        'META_EMULATOR_FAULT_DROP_RATE',
        'META_EMULATOR_GRAPH_VERSION',
        'META_EMULATOR_PORT',
        'META_EMULATOR_THROTTLE_HTTP_STATUS',
      ]);
    }
  });
});
