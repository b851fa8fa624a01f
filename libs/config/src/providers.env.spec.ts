import { InvalidEnvironmentError, validateEnv } from './validate-env';
import { ProvidersEnv, providersEnvFrom } from './providers.env';

const problemsOf = (raw: Record<string, string>): readonly string[] => {
  try {
    validateEnv(ProvidersEnv, raw);
    return [];
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return [...error.problems].sort();
    throw error;
  }
};

describe('ProvidersEnv (each provider its own section, one schema)', () => {
  it("applies TikTok's section's defaults with the shared ones", () => {
    expect(validateEnv(ProvidersEnv, {})).toMatchObject({
      TIKTOK_API_BASE_URL: 'https://business-api.tiktok.com/open_api/v1.3',
      TIKTOK_AUTHORIZE_URL: 'https://business-api.tiktok.com/portal/auth',
      TIKTOK_RATE_LIMIT_QPS: 10,
      TIKTOK_RATE_LIMIT_QPM: 600,
      TIKTOK_MAX_FILE_MB: 250,
      PROVIDER_RETRY_ATTEMPTS: 5,
      CONDUIT_DATA_DIR: './data',
    });
  });

  it("reports a section's problems together with the others', in one error", () => {
    expect(
      problemsOf({
        TIKTOK_APP_ID: 'my-app',
        TIKTOK_REDIRECT_URI: 'ftp://x',
        TIKTOK_MAX_FILE_MB: '251',
        PROVIDER_RETRY_ATTEMPTS: 'often',
        LOG_LEVEL: 'loud',
      }),
    ).toEqual([
      expect.stringMatching(/^LOG_LEVEL: must be one of/),
      expect.stringMatching(/^PROVIDER_RETRY_ATTEMPTS: /),
      'TIKTOK_APP_ID: must be the numeric app id from the TikTok for Business portal (required with TIKTOK_APP_SECRET) (got "my-app")',
      'TIKTOK_APP_SECRET: is required with TIKTOK_APP_ID (got nothing)',
      'TIKTOK_MAX_FILE_MB: TIKTOK_MAX_FILE_MB must not be greater than 250 (got 251)',
      'TIKTOK_REDIRECT_URI: must be an http(s) URL ending in /oauth/callback/tiktok (got "ftp://x")',
    ]);
    expect(problemsOf({ TIKTOK_APP_SECRET: 's3cret' })).toEqual([
      'TIKTOK_APP_ID: must be the numeric app id from the TikTok for Business portal (required with TIKTOK_APP_SECRET) (got nothing)',
    ]);
  });
});

describe("ProvidersEnv: Meta's section", () => {
  it('applies its defaults: Graph at graph.facebook.com, the current version, Limited-tier budget, 10,000 rows a request', () => {
    expect(validateEnv(ProvidersEnv, {})).toMatchObject({
      META_GRAPH_BASE_URL: 'https://graph.facebook.com',
      META_GRAPH_VERSION: 'v25.0',
      META_RATE_LIMIT_QPS: 5,
      META_RATE_LIMIT_QPM: 80,
      META_BATCH_ROWS: 10_000,
    });
  });

  it('says what is wrong with each Meta variable, and that the app id and secret go together', () => {
    expect(
      problemsOf({
        META_APP_ID: 'my-app',
        META_GRAPH_VERSION: '25',
        META_DIALOG_URL: 'facebook.com/dialog',
        META_REDIRECT_URI: 'ftp://x',
        META_BATCH_ROWS: '10001',
      }),
    ).toEqual([
      'META_APP_ID: must be the numeric app id from Meta for Developers (required with META_APP_SECRET) (got "my-app")',
      'META_APP_SECRET: is required with META_APP_ID (got nothing)',
      'META_BATCH_ROWS: META_BATCH_ROWS must not be greater than 10000 (got 10001)',
      'META_DIALOG_URL: must be an http(s) URL such as https://www.facebook.com/v25.0/dialog/oauth (got "facebook.com/dialog")',
      'META_GRAPH_VERSION: must be a Graph API version such as v25.0 (got "25")',
      'META_REDIRECT_URI: must be an http(s) URL ending in /oauth/callback/meta (got "ftp://x")',
    ]);
    expect(problemsOf({ META_APP_SECRET: 's3cret' })).toEqual([
      'META_APP_ID: must be the numeric app id from Meta for Developers (required with META_APP_SECRET) (got nothing)',
    ]);
  });
});

describe('providersEnvFrom', () => {
  it("reads every provider's variables and the retry policy, and nothing else, through the app's config", () => {
    const env = validateEnv(ProvidersEnv, {
      TIKTOK_APP_ID: '7100000000000000001',
      TIKTOK_APP_SECRET: 's3cret',
      CONDUIT_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
    });
    const asked: string[] = [];
    const variables = providersEnvFrom((name) => {
      asked.push(name);
      return env[name];
    });
    // TikTok's section and the retry policy (and any other provider's section), nothing more.
    expect(asked).toEqual(
      expect.arrayContaining([
        'PROVIDER_RETRY_ATTEMPTS',
        'PROVIDER_RETRY_BASE_DELAY_MS',
        'PROVIDER_RETRY_MAX_DELAY_MS',
        'TIKTOK_API_BASE_URL',
        'TIKTOK_APP_ID',
        'TIKTOK_APP_SECRET',
        'TIKTOK_AUTHORIZE_URL',
        'TIKTOK_MAX_FILE_MB',
        'TIKTOK_RATE_LIMIT_QPM',
        'TIKTOK_RATE_LIMIT_QPS',
        'TIKTOK_REDIRECT_URI',
      ]),
    );
    for (const notForProviders of [
      'DATABASE_URL',
      'CONDUIT_DATA_DIR',
      'LOG_LEVEL',
      'CONDUIT_ENCRYPTION_KEYS',
    ])
      expect(asked).not.toContain(notForProviders);
    expect(Object.keys(variables).sort()).toEqual([...asked].sort());
    expect(variables).toMatchObject({
      TIKTOK_APP_ID: '7100000000000000001',
      TIKTOK_APP_SECRET: 's3cret',
      TIKTOK_API_BASE_URL: 'https://business-api.tiktok.com/open_api/v1.3',
      TIKTOK_AUTHORIZE_URL: 'https://business-api.tiktok.com/portal/auth',
      TIKTOK_RATE_LIMIT_QPS: 10,
      TIKTOK_RATE_LIMIT_QPM: 600,
      TIKTOK_MAX_FILE_MB: 250,
      PROVIDER_RETRY_ATTEMPTS: 5,
      PROVIDER_RETRY_BASE_DELAY_MS: 1000,
      PROVIDER_RETRY_MAX_DELAY_MS: 60_000,
    });
  });
});
