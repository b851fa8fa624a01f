import { IdentifierHasher, InvalidCredentialsError, type ExportRequest } from '@conduit/destinations-core';
import { META_GRAPH_VERSION } from '@conduit/destinations-meta-wire';
import { MetaProvider } from './meta.provider';

// Nothing listens here: every case below is decided before a call would leave.
const provider = new MetaProvider({
  appId: '1100000000000001',
  appSecret: 'app-secret',
  graphBaseUrl: 'http://127.0.0.1:9',
  hasher: new IdentifierHasher({ threads: 0 }),
});

const request = (overrides: Partial<ExportRequest>): ExportRequest => ({
  exportId: 'exp_unit',
  rows: async function* () {
    yield { email: 'a@example.com' };
  },
  mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
  config: { adAccountId: 'act_42', audienceName: 'Buyers', action: 'Create' },
  credentials: { accessToken: 'EAABtoken' },
  ...overrides,
});
const reporter = { checkpoint: async () => undefined };

describe('MetaProvider (declarations)', () => {
  it('declares mobile advertiser ids plain and phones hashed without +, as Meta’s rules say', () => {
    expect(provider.keys).toEqual({
      types: ['EMAIL', 'PHONE', 'MAID'],
      encodings: ['RAW', 'SHA256'],
      minKeys: 1,
      plainTypes: ['MAID'],
    });
    expect(MetaProvider.NORMALIZE).toEqual({ phoneHashIncludesPlus: false, plainKeyTypes: ['MAID'] });
    expect(provider.limits).toMatchObject({
      audiencesPerAccount: 500,
      requestsPerSecond: 5,
      requestsPerMinute: 80,
    });
  });

  it('sends the person to Facebook’s dialog of the current Graph version', () => {
    const url = new URL(
      provider.authorization.buildAuthorizeUrl({ state: 's', redirectUri: 'https://c.example/cb' }),
    );
    expect(url.origin + url.pathname).toBe(`https://www.facebook.com/${META_GRAPH_VERSION}/dialog/oauth`);
    expect(url.searchParams.get('scope')).toBe('ads_management');
  });

  it('exposes the redirect URI registered with the app, when set', () => {
    expect(
      new MetaProvider({ appId: '1', appSecret: 's', redirectUri: 'https://proxy.example/cb' }).authorization
        .redirectUri,
    ).toBe('https://proxy.example/cb');
  });
});

describe('MetaProvider.export refuses before calling Meta', () => {
  it('a config without an act_ ad account, a name or a known action', async () => {
    const configs: Record<string, string>[] = [
      { adAccountId: '42', audienceName: 'B', action: 'Create' },
      { adAccountId: 'act_42', action: 'Create' },
      { adAccountId: 'act_42', audienceName: 'B', action: 'Merge' },
    ];
    for (const config of configs)
      await expect(provider.export(request({ config }), reporter)).rejects.toMatchObject({
        kind: 'PAYLOAD_VALIDATION',
        field: 'config',
      });
    await expect(
      provider.export(
        request({
          config: { adAccountId: 'act_42', audienceName: 'B', action: 'Create', customerFileSource: 'X' },
        }),
        reporter,
      ),
    ).rejects.toMatchObject({ field: 'config.customerFileSource' });
  });

  it('no key mapped, or a mobile advertiser id column declared hashed', async () => {
    await expect(provider.export(request({ mapping: [] }), reporter)).rejects.toMatchObject({
      field: 'mapping',
    });
    await expect(
      provider.export(
        request({ mapping: [{ column: 'idfa', keyType: 'MAID', encoding: 'SHA256' }] }),
        reporter,
      ),
    ).rejects.toMatchObject({ field: 'mapping.idfa' });
  });

  it('credentials without a token: reconnect', async () => {
    await expect(provider.export(request({ credentials: {} }), reporter)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });

  it('a status asked of an export that recorded no audience', async () => {
    await expect(
      provider.getStatus({ config: {}, credentials: { accessToken: 't' }, references: [] }),
    ).rejects.toMatchObject({ field: 'references' });
  });
});

describe('MetaProvider.export as a dry run', () => {
  it('counts what it would send without calling Meta', async () => {
    const result = await provider.export(
      request({
        dryRun: true,
        rows: async function* () {
          for (const email of ['a@example.com', 'b@example.com', 'a@example.com', 'nope']) yield { email };
        },
      }),
      reporter,
    );
    expect(result).toEqual({
      counts: expect.objectContaining({
        read: 4,
        valid: 3,
        duplicates: 1,
        uploaded: 2,
        invalid: { MALFORMED: 1 },
      }),
      references: [],
    });
  });
});
