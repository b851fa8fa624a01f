import { ProvidersEnv, validateEnv, type ProviderVariables } from '@conduit/config';
import {
  DuplicateProviderError,
  InMemoryRateLimiter,
  type DestinationProvider,
  type ProviderObserver,
} from '@conduit/destinations-core';
import { META_DEFAULT_QUOTA, META_FIELDS, MetaProvider } from '@conduit/destinations-meta';
import { TIKTOK_BASIC_QUOTA, TIKTOK_FIELDS, TikTokProvider } from '@conduit/destinations-tiktok';
import { Redis } from 'ioredis';
import { buildDestinationRegistry, PROVIDER_ENTRIES, PROVIDER_FIELD_SCHEMAS } from './catalog';
import { registryFromEnv } from './from-env';
import type { ProviderEntry, SharedProviderServices } from './provider-entry';
import { RedisRateLimiter } from './redis-rate-limiter';

/** Provider variables as an app's validated environment holds them: the raw ones given, defaults for the rest. */
const envOf = (raw: Record<string, string> = {}): ProviderVariables => validateEnv(ProvidersEnv, raw);
const TIKTOK_APP = { TIKTOK_APP_ID: '7100000000000000001', TIKTOK_APP_SECRET: 's3cret' };
const META_APP = { META_APP_ID: '1234567890123456', META_APP_SECRET: 'm3ta-s3cret' };

describe('registryFromEnv (the catalog from the providers variables)', () => {
  it('registers TikTok when its app is configured', () => {
    const registry = registryFromEnv(
      envOf({ ...TIKTOK_APP, TIKTOK_API_BASE_URL: 'http://127.0.0.1:1/open_api/v1.3' }),
    );
    expect(registry.find('tiktok')).toBeInstanceOf(TikTokProvider);
    expect(registry.unavailableReason('tiktok')).toBeUndefined();
    expect(registry.list().map((provider) => provider.id)).toEqual(['tiktok']);
  });

  it('lists TikTok as unavailable, naming the variables to set, when its app is not configured', () => {
    for (const raw of [{}, { TIKTOK_APP_ID: '7100000000000000001' }, { TIKTOK_APP_SECRET: 's3cret' }]) {
      // Validation refuses one without the other at boot; the catalog still never builds half an app.
      const registry = registryFromEnv({ ...envOf(), ...raw });
      expect(registry.find('tiktok')).toBeUndefined();
      expect(registry.unavailableReason('tiktok')).toMatchObject({
        displayName: 'TikTok Ads',
        reason: expect.stringMatching(/TIKTOK_APP_ID and TIKTOK_APP_SECRET/),
      });
    }
  });

  it("keeps TikTok's Basic-tier quota unless told otherwise, and the provider declares the one it keeps", () => {
    const basic = registryFromEnv(envOf(TIKTOK_APP));
    expect(basic.find('tiktok')?.limits).toMatchObject({
      requestsPerSecond: 10,
      requestsPerMinute: 600,
      maxFileBytes: 250 * 1024 * 1024,
    });
    expect(TIKTOK_BASIC_QUOTA).toEqual({ perSecond: 10, perMinute: 600 });
    const granted = registryFromEnv(
      envOf({
        ...TIKTOK_APP,
        TIKTOK_RATE_LIMIT_QPS: '50',
        TIKTOK_RATE_LIMIT_QPM: '3000',
        TIKTOK_MAX_FILE_MB: '5',
      }),
    );
    expect(granted.find('tiktok')?.limits).toMatchObject({
      requestsPerSecond: 50,
      requestsPerMinute: 3000,
      maxFileBytes: 5 * 1024 * 1024,
    });
  });

  it("hands TIKTOK_REDIRECT_URI to TikTok's authorization (the API's callback route when unset)", () => {
    const redirectUri = 'https://conduit.example.com/proxy/oauth/callback/tiktok';
    const overridden = registryFromEnv(envOf({ ...TIKTOK_APP, TIKTOK_REDIRECT_URI: redirectUri }));
    expect(overridden.find('tiktok')?.authorization.redirectUri).toBe(redirectUri);
    expect(registryFromEnv(envOf(TIKTOK_APP)).find('tiktok')?.authorization.redirectUri).toBeUndefined();
  });

  it('gives every provider the retry policy the variables set', () => {
    const registry = registryFromEnv(
      envOf({
        ...TIKTOK_APP,
        PROVIDER_RETRY_ATTEMPTS: '3',
        PROVIDER_RETRY_BASE_DELAY_MS: '200',
        PROVIDER_RETRY_MAX_DELAY_MS: '5000',
      }),
    );
    // TikTokProvider keeps its options private; what it was built with is what it retries by.
    expect(registry.find('tiktok')).toMatchObject({
      options: { retryPolicy: { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 } },
    });
  });
});

describe("registryFromEnv: Meta's entry", () => {
  it('registers Meta beside TikTok when its app is configured, with its quota, batch size and redirect URI', () => {
    const registry = registryFromEnv(
      envOf({
        ...TIKTOK_APP,
        ...META_APP,
        META_GRAPH_BASE_URL: 'http://127.0.0.1:1',
        META_REDIRECT_URI: 'https://conduit.example.com/proxy/oauth/callback/meta',
      }),
    );
    expect(registry.list().map((provider) => provider.id)).toEqual(['meta', 'tiktok']);
    const meta = registry.find('meta');
    expect(meta).toBeInstanceOf(MetaProvider);
    expect(meta?.limits).toMatchObject({
      requestsPerSecond: META_DEFAULT_QUOTA.perSecond,
      requestsPerMinute: META_DEFAULT_QUOTA.perMinute,
    });
    expect(meta?.authorization.redirectUri).toBe('https://conduit.example.com/proxy/oauth/callback/meta');
    const granted = registryFromEnv(
      envOf({ ...META_APP, META_RATE_LIMIT_QPS: '20', META_RATE_LIMIT_QPM: '900' }),
    );
    expect(granted.find('meta')?.limits).toMatchObject({ requestsPerSecond: 20, requestsPerMinute: 900 });
  });

  it('lists Meta as unavailable, naming the variables to set, when its app is not configured', () => {
    for (const raw of [{}, { META_APP_ID: '1234567890123456' }, { META_APP_SECRET: 's3cret' }]) {
      const registry = registryFromEnv({ ...envOf(TIKTOK_APP), ...raw });
      expect(registry.find('meta')).toBeUndefined();
      expect(registry.unavailableReason('meta')).toMatchObject({
        displayName: 'Meta Ads',
        reason: expect.stringMatching(/META_APP_ID and META_APP_SECRET/),
      });
    }
  });

  it("publishes Meta's field schema for the API docs, configured or not", () => {
    expect(PROVIDER_FIELD_SCHEMAS.find((schema) => schema.id === 'meta')).toEqual({
      id: 'meta',
      displayName: 'Meta Ads',
      fields: META_FIELDS,
    });
  });
});

describe('buildDestinationRegistry (any list of entries)', () => {
  it('builds each configured entry with the shared services and lists the others with their reason', () => {
    const configured = recordingEntry('acme');
    const absent = recordingEntry('globex', { unavailable: 'Set GLOBEX_APP_ID.' });
    const observer: ProviderObserver = { requestFinished: () => undefined, rateLimitWaited: () => undefined };
    const registry = buildDestinationRegistry([configured.entry, absent.entry], envOf(), {
      workDirectory: '/tmp/conduit-work',
      retryPolicy: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      observer,
    });
    expect(registry.list().map((provider) => provider.id)).toEqual(['acme']);
    expect(registry.unavailableReason('globex')).toEqual({
      id: 'globex',
      displayName: 'Provider globex',
      reason: 'Set GLOBEX_APP_ID.',
    });
    expect(absent.built).toEqual([]);
    expect(configured.built).toHaveLength(1);
    const { options, shared } = configured.built[0];
    expect(options).toEqual({ appId: 'app-acme' });
    expect(shared).toMatchObject({
      workDirectory: '/tmp/conduit-work',
      retryPolicy: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      observer,
    });
    expect(shared.rateLimiter).toBeInstanceOf(InMemoryRateLimiter);
  });

  it("holds each provider to the quota its options name, else its entry's default", () => {
    const byDefault = recordingEntry('acme');
    const granted = recordingEntry('globex', { options: { appId: 'x', quota: { perSecond: 50 } } });
    buildDestinationRegistry([byDefault.entry, granted.entry], envOf());
    // The limiters keep their limits private; what they were built with is what they enforce.
    expect(byDefault.built[0].shared.rateLimiter).toMatchObject({ limits: { perSecond: 3, perMinute: 30 } });
    expect(granted.built[0].shared.rateLimiter).toMatchObject({ limits: { perSecond: 50 } });
  });

  it('shares the budgets through Redis when told to, and takes one given limiter as it is', async () => {
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true });
    try {
      const shared = recordingEntry('acme');
      buildDestinationRegistry([shared.entry], envOf(), { sharedLimits: { redis, prefix: 'spec' } });
      expect(shared.built[0].shared.rateLimiter).toBeInstanceOf(RedisRateLimiter);
      expect(shared.built[0].shared.rateLimiter).toMatchObject({ prefix: 'spec:rate' });
    } finally {
      redis.disconnect();
    }
    const limiter = new InMemoryRateLimiter({ perSecond: 1000 });
    const given = recordingEntry('acme');
    buildDestinationRegistry([given.entry], envOf(), { rateLimiter: limiter });
    expect(given.built[0].shared.rateLimiter).toBe(limiter);
  });

  it('refuses an entry whose provider has another id, and two entries with one id, at boot', () => {
    const { entry } = recordingEntry('acme');
    expect(() => buildDestinationRegistry([{ ...entry, id: 'acme-ads' }], envOf())).toThrow(
      'The catalog entry "acme-ads" built a provider with the id "acme": an entry\'s id must be its provider\'s.',
    );
    expect(() => buildDestinationRegistry([entry, recordingEntry('acme').entry], envOf())).toThrow(
      DuplicateProviderError,
    );
  });
});

describe('PROVIDER_ENTRIES', () => {
  it('lists every provider this build ships once, with its field schema for the API docs', () => {
    const ids = PROVIDER_ENTRIES.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('tiktok');
    expect(PROVIDER_FIELD_SCHEMAS).toEqual(
      PROVIDER_ENTRIES.map(({ id, displayName, fields }) => ({ id, displayName, fields })),
    );
    expect(PROVIDER_FIELD_SCHEMAS.find((schema) => schema.id === 'tiktok')).toEqual({
      id: 'tiktok',
      displayName: 'TikTok Ads',
      fields: TIKTOK_FIELDS,
    });
  });
});

interface AcmeOptions {
  appId: string;
  quota?: { perSecond: number; perMinute?: number };
}

/** An entry that records what the catalog built it with, and builds a bare provider with its id. */
function recordingEntry(
  id: string,
  setup: { options: AcmeOptions } | { unavailable: string } = { options: { appId: `app-${id}` } },
) {
  const built: Array<{ options: AcmeOptions; shared: SharedProviderServices }> = [];
  const entry: ProviderEntry<AcmeOptions> = {
    id,
    displayName: `Provider ${id}`,
    fields: [],
    defaultQuota: { perSecond: 3, perMinute: 30 },
    fromEnv: () => setup,
    create: (options, shared) => {
      built.push({ options, shared });
      return { id } as DestinationProvider;
    },
  };
  return { entry, built };
}
