import { TIKTOK_BASIC_QUOTA, TikTokProvider } from '@conduit/destinations-tiktok';
import { buildDestinationRegistry } from './catalog';
import { registryFromEnv } from './from-env';

describe('buildDestinationRegistry', () => {
  it('registers TikTok when its app is configured', () => {
    const registry = buildDestinationRegistry({
      tiktok: {
        appId: '7100000000000000001',
        secret: 's3cret',
        apiBaseUrl: 'http://127.0.0.1:1/open_api/v1.3',
      },
    });
    expect(registry.find('tiktok')).toBeInstanceOf(TikTokProvider);
    expect(registry.unavailableReason('tiktok')).toBeUndefined();
    expect(registry.list().map((provider) => provider.id)).toEqual(['tiktok']);
  });

  it('lists TikTok as unavailable, naming the variables to set, when its app is not configured', () => {
    for (const tiktok of [{}, { appId: '7100000000000000001' }, { secret: 's3cret' }]) {
      const registry = buildDestinationRegistry({ tiktok });
      expect(registry.find('tiktok')).toBeUndefined();
      expect(registry.unavailableReason('tiktok')?.reason).toMatch(/TIKTOK_APP_ID and TIKTOK_APP_SECRET/);
    }
  });

  it("keeps TikTok's Basic-tier quota unless told otherwise, and the provider declares the one it keeps", () => {
    const basic = buildDestinationRegistry({ tiktok: { appId: '7100000000000000001', secret: 's3cret' } });
    expect(basic.find('tiktok')?.limits).toMatchObject({ requestsPerSecond: 10, requestsPerMinute: 600 });
    expect(TIKTOK_BASIC_QUOTA).toEqual({ perSecond: 10, perMinute: 600 });
    const granted = registryFromEnv({
      TIKTOK_APP_ID: '7100000000000000001',
      TIKTOK_APP_SECRET: 's3cret',
      TIKTOK_API_BASE_URL: 'http://127.0.0.1:1/open_api/v1.3',
      TIKTOK_AUTHORIZE_URL: 'http://127.0.0.1:1/portal/auth',
      TIKTOK_RATE_LIMIT_QPS: 50,
      TIKTOK_RATE_LIMIT_QPM: 3000,
      TIKTOK_MAX_FILE_MB: 5,
      PROVIDER_RETRY_ATTEMPTS: 3,
      PROVIDER_RETRY_BASE_DELAY_MS: 200,
      PROVIDER_RETRY_MAX_DELAY_MS: 5000,
    });
    expect(granted.find('tiktok')?.limits).toMatchObject({
      requestsPerSecond: 50,
      requestsPerMinute: 3000,
      maxFileBytes: 5 * 1024 * 1024,
    });
  });
});
