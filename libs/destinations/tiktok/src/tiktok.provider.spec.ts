import { validateConfig } from '@conduit/destinations-core';
import { TikTokProvider } from './tiktok.provider';

// No network here: what the provider decides before it talks to TikTok.
const provider = new TikTokProvider({
  appId: '7100000000000000001',
  secret: 'app-secret',
  apiBaseUrl: 'http://127.0.0.1:9/open_api/v1.3',
});
const noReporter = { checkpoint: async () => undefined };

describe('TikTokProvider (offline)', () => {
  it('builds the TikTok consent URL with app_id, state and redirect_uri', () => {
    const url = new URL(
      provider.authorization.buildAuthorizeUrl({
        state: 'abc',
        redirectUri: 'https://conduit.example/oauth/callback/tiktok',
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://business-api.tiktok.com/portal/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      app_id: '7100000000000000001',
      state: 'abc',
      redirect_uri: 'https://conduit.example/oauth/callback/tiktok',
    });
    expect(provider.authorization.callbackCodeParameter).toBe('auth_code');
  });

  it.each([
    [{ audienceName: 'Short' }, 'config.audienceName', 'minLength'],
    [{ audienceName: 'x'.repeat(71) }, 'config.audienceName', 'maxLength'],
    [{ audienceName: 'Spring sale: buyers!' }, 'config.audienceName', 'pattern'],
    [{ advertiserId: 'adv-1' }, 'config.advertiserId', 'pattern'],
    [{ advertiserId: '7200000000000000009' }, 'config.advertiserId', 'externalAccount'],
    [{ action: 'Merge' }, 'config.action', 'enum'],
    [{ retentionInDays: 366 }, 'config.retentionInDays', 'max'],
  ])('applies the seed rules to %j', (override, field, rule) => {
    const config = {
      advertiserId: '7200000000000000001',
      audienceName: 'Spring sale buyers',
      action: 'Create',
      ...override,
    };
    expect(validateConfig(provider.fields, config, { accountIds: ['7200000000000000001'] })).toEqual([
      expect.objectContaining({ field, rule }),
    ]);
  });

  it('accepts the seed example', () => {
    expect(
      validateConfig(
        provider.fields,
        {
          advertiserId: '7200000000000000001',
          audienceName: 'Spring_sale - 2026',
          action: 'Replace',
          retentionInDays: 30,
        },
        { accountIds: ['7200000000000000001'] },
      ),
    ).toEqual([]);
  });

  it('refuses an export without key mapping, config or credentials before any network call', async () => {
    const base = {
      exportId: 'exp_1',
      rows: async function* () {
        yield* []; // never read: every case fails before the segment is opened
      },
      config: { advertiserId: '1', audienceName: 'Spring sale buyers', action: 'Create' },
      credentials: { accessToken: 't' },
    };
    await expect(provider.export({ ...base, mapping: [] }, noReporter)).rejects.toMatchObject({
      kind: 'PAYLOAD_VALIDATION',
      field: 'mapping',
      message: 'Map at least one segment column to an activation key (EMAIL, PHONE or MAID).',
    });
    await expect(
      provider.export(
        {
          ...base,
          mapping: [{ column: 'e', keyType: 'EMAIL', encoding: 'RAW' }],
          config: { advertiserId: '1' },
        },
        noReporter,
      ),
    ).rejects.toMatchObject({
      kind: 'PAYLOAD_VALIDATION',
      field: 'config',
    });
    await expect(
      provider.export(
        { ...base, mapping: [{ column: 'e', keyType: 'EMAIL', encoding: 'RAW' }], credentials: {} },
        noReporter,
      ),
    ).rejects.toThrow(/re-authorize the TikTok account/);
    await expect(
      provider.getStatus({ config: base.config, credentials: base.credentials, references: [] }),
    ).rejects.toMatchObject({ field: 'references' });
  });

  it('declares TikTok limits and keys', () => {
    expect(provider.limits).toMatchObject({
      audiencesPerAccount: 400,
      minAudienceSize: 1000,
      maxFileBytes: 250 * 1024 * 1024,
      requestsPerSecond: 10,
      requestsPerMinute: 600,
    });
    expect(provider.keys).toEqual({
      types: ['EMAIL', 'PHONE', 'MAID'],
      encodings: ['RAW', 'SHA256'],
      minKeys: 1,
    });
  });
});
