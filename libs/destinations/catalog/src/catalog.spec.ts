import { TikTokProvider } from '@conduit/destinations-tiktok';
import { buildDestinationRegistry, TIKTOK_APP_QUOTA } from './catalog';

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

  it("shares TikTok's quota as the provider declares it", () => {
    const registry = buildDestinationRegistry({
      tiktok: { appId: '7100000000000000001', secret: 's3cret' },
    });
    const limits = registry.find('tiktok')?.limits;
    expect(TIKTOK_APP_QUOTA).toEqual({
      perSecond: limits?.requestsPerSecond,
      perMinute: limits?.requestsPerMinute,
    });
  });
});
