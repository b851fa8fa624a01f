import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryRateLimiter,
  InvalidCredentialsError,
  ProviderApiError,
  RetryableError,
  type DestinationError,
} from '@conduit/destinations-core';
import {
  DEFAULT_EMULATOR_OPTIONS,
  startTikTokEmulator,
  type RunningEmulator,
} from '@conduit/tiktok-emulator';
import { TikTokClient } from './tiktok.client';

const APP = DEFAULT_EMULATOR_OPTIONS.apps[0];
const [ADVERTISER, OTHER_ADVERTISER] = DEFAULT_EMULATOR_OPTIONS.advertisers;

let running: RunningEmulator;
let client: TikTokClient;
let directory: string;

beforeAll(async () => {
  running = await startTikTokEmulator({
    rateLimit: { perSecond: 1000, perMinute: 100_000 },
    // Small audiences are enough to exercise the wire; TikTok's 1,000-user floors are the provider's concern.
    minAudienceSizeAfterUpdate: 1,
    minValidAudienceSize: 1,
    processingDelayMs: 0,
  });
  client = new TikTokClient({
    baseUrl: running.apiBaseUrl,
    rateLimiter: new InMemoryRateLimiter({ perSecond: 1000 }),
    rateLimitKey: APP.appId,
  });
  directory = mkdtempSync(join(tmpdir(), 'tiktok-client-int-'));
});

afterAll(async () => {
  await running?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The browser step of TikTok's OAuth: the advertiser confirms on the portal, which redirects with auth_code. */
async function authCode(): Promise<string> {
  const confirm = await fetch(`${running.url}/portal/auth/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      app_id: APP.appId,
      state: 'int-spec',
      redirect_uri: APP.redirectUris[0],
    }).toString(),
    redirect: 'manual',
  });
  expect(confirm.status).toBe(302);
  const code = new URL(confirm.headers.get('location') as string).searchParams.get('auth_code');
  expect(code).toBeTruthy();
  return code as string;
}

async function accessToken(): Promise<string> {
  return (await client.exchangeAuthCode({ appId: APP.appId, secret: APP.secret, authCode: await authCode() }))
    .accessToken;
}

/** A customer file of SHA-256 lines on disk, and its MD5. */
function customerFile(name: string, values: string[]): { path: string; fileName: string; md5: string } {
  const content = values.map((value) => createHash('sha256').update(value).digest('hex')).join('\n') + '\n';
  const path = join(directory, name);
  writeFileSync(path, content);
  return { path, fileName: name, md5: createHash('md5').update(content).digest('hex') };
}

const emails = (count: number, label: string) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@example.com`);

async function failure(call: Promise<unknown>): Promise<DestinationError> {
  try {
    await call;
  } catch (error) {
    return error as DestinationError;
  }
  throw new Error('expected the call to fail');
}

describe('TikTokClient against the TikTok emulator', () => {
  let token: string;

  it('exchanges an auth code for a token and the advertisers it covers; the code is single use', async () => {
    const code = await authCode();

    const issued = await client.exchangeAuthCode({ appId: APP.appId, secret: APP.secret, authCode: code });

    token = issued.accessToken;
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(issued.advertiserIds).toEqual([ADVERTISER.advertiserId, OTHER_ADVERTISER.advertiserId]);
    expect(issued.scope.length).toBeGreaterThan(0);
    issued.scope.forEach((scope) => expect(typeof scope).toBe('number'));

    const reused = await failure(
      client.exchangeAuthCode({ appId: APP.appId, secret: APP.secret, authCode: code }),
    );
    expect(reused).toBeInstanceOf(InvalidCredentialsError);
    expect(reused.providerCode).toBe(40110);
    expect(reused.requestId).toMatch(/^\d{14}[0-9A-F]{20}$/);
    expect(reused.message).not.toContain(code);
  });

  it('lists the authorized advertisers', async () => {
    await expect(
      client.getAuthorizedAdvertisers({ appId: APP.appId, secret: APP.secret, accessToken: token }),
    ).resolves.toEqual([
      { advertiserId: ADVERTISER.advertiserId, advertiserName: ADVERTISER.name },
      { advertiserId: OTHER_ADVERTISER.advertiserId, advertiserName: OTHER_ADVERTISER.name },
    ]);
  });

  it('refuses a wrong app secret as a non-retryable app configuration error that does not quote it', async () => {
    const wrong = 'not-the-app-secret';
    const exchange = await failure(
      client.exchangeAuthCode({ appId: APP.appId, secret: wrong, authCode: await authCode() }),
    );
    const advertisers = await failure(
      client.getAuthorizedAdvertisers({ appId: APP.appId, secret: wrong, accessToken: token }),
    );

    for (const error of [exchange, advertisers]) {
      expect(error.constructor).toBe(ProviderApiError);
      expect(error.retryable).toBe(false);
      expect(error.providerCode).toBe(40101);
      expect(error.message).toContain('check the TikTok app id and secret');
      expect(JSON.stringify(error)).not.toContain(wrong);
      expect(error.message).not.toContain(token);
    }
  });

  it('reads the user (the health check) and the advertisers', async () => {
    await expect(client.getUserInfo(token)).resolves.toEqual({
      coreUserId: '7400000000000000001',
      displayName: 'Emulated TikTok user',
      email: 'ads-operator@example.com',
    });
    await expect(
      client.getAdvertiserInfo(token, [ADVERTISER.advertiserId, OTHER_ADVERTISER.advertiserId]),
    ).resolves.toEqual([
      { advertiserId: ADVERTISER.advertiserId, name: ADVERTISER.name, status: 'STATUS_ENABLE' },
      { advertiserId: OTHER_ADVERTISER.advertiserId, name: OTHER_ADVERTISER.name, status: 'STATUS_ENABLE' },
    ]);
  });

  it('uploads, creates, appends, lists, gets and deletes a customer-file audience', async () => {
    const advertiserId = ADVERTISER.advertiserId;
    const first = customerFile('first.csv', emails(40, 'first'));
    const { filePath } = await client.uploadFile(token, {
      advertiserId,
      calculateType: 'EMAIL_SHA256',
      ...first,
    });
    expect(filePath).toMatch(/^[0-9a-f]{16}$/);
    expect(running.emulator.inspectFile(filePath)).toMatchObject({
      md5: first.md5,
      lines: 40,
      calculate_type: 'EMAIL_SHA256',
    });

    const { audienceId } = await client.createAudience(token, {
      advertiserId,
      name: 'Client int-spec',
      calculateType: 'EMAIL_SHA256',
      filePaths: [filePath],
      retentionInDays: 30,
    });
    expect(audienceId).toMatch(/^\d{19}$/);

    const second = customerFile('second.txt', emails(25, 'second'));
    const appended = await client.uploadFile(token, {
      advertiserId,
      calculateType: 'EMAIL_SHA256',
      ...second,
    });
    await expect(
      client.updateAudience(token, {
        advertiserId,
        audienceId,
        action: 'APPEND',
        filePaths: [appended.filePath],
      }),
    ).resolves.toEqual({ audienceId });
    expect(running.emulator.inspectAudiences(advertiserId)).toEqual([
      expect.objectContaining({ audience_id: audienceId, name: 'Client int-spec', size: 65 }),
    ]);

    const listed = await client.listAudiences(token, {
      advertiserId,
      page: 1,
      pageSize: 10,
      audienceIds: [audienceId],
    });
    expect(listed.page).toEqual({ page: 1, pageSize: 10, totalNumber: 1, totalPage: 1 });
    expect(listed.audiences).toEqual([
      expect.objectContaining({
        audienceId,
        name: 'Client int-spec',
        calculateType: 'EMAIL_SHA256',
        isExpiring: false,
      }),
    ]);
    expect(listed.audiences[0].createTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    running.emulator.finishProcessing();
    const [details] = await client.getAudiences(token, {
      advertiserId,
      audienceIds: [audienceId],
      historySize: 10,
    });
    expect(details).toMatchObject({
      audienceId,
      name: 'Client int-spec',
      isValid: true,
      calculateType: 'EMAIL_SHA256',
      errorMessage: '',
    });
    expect(details.coverNum).toBeGreaterThan(0);
    expect(details.history.map((entry) => entry.action)).toEqual(['APPEND', 'CREATE']);

    await expect(
      client.deleteAudiences(token, { advertiserId, audienceIds: [audienceId] }),
    ).resolves.toBeUndefined();
    expect((await client.listAudiences(token, { advertiserId })).page.totalNumber).toBe(0);
    const gone = await failure(client.getAudiences(token, { advertiserId, audienceIds: [audienceId] }));
    expect(gone.constructor).toBe(ProviderApiError);
    expect(gone.providerCode).toBe(40007);
  });

  it('accepts answers that leave out or reshape fields the connector does not act on', async () => {
    const advertiserId = ADVERTISER.advertiserId;
    const file = customerFile('lenient.csv', emails(5, 'lenient'));
    const { filePath } = await client.uploadFile(token, {
      advertiserId,
      calculateType: 'EMAIL_SHA256',
      ...file,
    });
    const { audienceId } = await client.createAudience(token, {
      advertiserId,
      name: 'Lenient answers',
      calculateType: 'EMAIL_SHA256',
      filePaths: [filePath],
    });
    const odd = { unexpected: true };
    const reshape: Record<string, (data: Record<string, unknown>) => Record<string, unknown>> = {
      '/user/info/': () => ({}),
      '/oauth2/access_token/': ({ access_token }) => ({ access_token, advertiser_ids: odd, scope: 'all' }),
      '/dmp/custom_audience/update/': () => ({ custom_audience_id: odd }),
      '/dmp/custom_audience/list/': (data) => ({
        list: (data['list'] as Record<string, unknown>[]).map((audience) => ({
          ...audience,
          cover_num: 'n/a',
          is_valid: 'yes',
          calculate_type: 8,
          expired_time: null,
        })),
        page_info: { ...(data['page_info'] as object), page: null, page_size: odd },
      }),
      '/dmp/custom_audience/get/': (data) => ({
        list: (data['list'] as Record<string, unknown>[]).map((entry) => ({
          ...entry,
          audience_details: { ...(entry['audience_details'] as object), name: 42, calculate_type: odd },
          audience_history: 'none',
        })),
      }),
    };
    running.emulator.alterAnswers((path, data) => reshape[path]?.(data) ?? data);
    try {
      // user/info/ only proves the token works: nothing in it is required (core_user_id included).
      await expect(client.getUserInfo(token)).resolves.toEqual({ displayName: '' });
      const issued = await client.exchangeAuthCode({
        appId: APP.appId,
        secret: APP.secret,
        authCode: await authCode(),
      });
      expect(issued).toEqual({
        accessToken: expect.stringMatching(/^[0-9a-f]{40}$/),
        advertiserIds: [],
        scope: [],
      });
      await expect(
        client.updateAudience(token, { advertiserId, audienceId, action: 'APPEND', filePaths: [filePath] }),
      ).resolves.toEqual({ audienceId });
      const listed = await client.listAudiences(token, {
        advertiserId,
        audienceIds: [audienceId],
        pageSize: 5,
      });
      expect(listed.page).toEqual({ page: 1, pageSize: 5, totalNumber: 1, totalPage: 1 });
      expect(listed.audiences).toEqual([
        expect.objectContaining({
          audienceId,
          name: 'Lenient answers',
          createTime: expect.stringMatching(/^\d{4}-/),
        }),
      ]);
      const [details] = await client.getAudiences(token, { advertiserId, audienceIds: [audienceId] });
      expect(details).toMatchObject({ audienceId, isValid: true, errorMessage: '', history: [] });
      expect(details.coverNum).toBeGreaterThan(0);
    } finally {
      running.emulator.alterAnswers(undefined);
    }
    await client.deleteAudiences(token, { advertiserId, audienceIds: [audienceId] });
  });

  it('still refuses an answer without what the connector acts on, quoting no value', async () => {
    running.emulator.alterAnswers((path, data) =>
      path === '/dmp/custom_audience/file/upload/' ? { file_path: { token } } : data,
    );
    try {
      const file = customerFile('no-path.csv', emails(2, 'no-path'));
      const error = await failure(
        client.uploadFile(token, {
          advertiserId: ADVERTISER.advertiserId,
          calculateType: 'EMAIL_SHA256',
          ...file,
        }),
      );
      expect(error.constructor).toBe(ProviderApiError);
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(
        "TikTok's answer to POST dmp/custom_audience/file/upload/ has no valid file_path (expected a string).",
      );
      expect(error.requestId).toBeTruthy();
      expect(JSON.stringify(error)).not.toContain(token);
    } finally {
      running.emulator.alterAnswers(undefined);
    }
  });

  it('reports a wrong file signature as retryable (40900)', async () => {
    const file = customerFile('signed.csv', emails(5, 'signed'));
    const error = await failure(
      client.uploadFile(token, {
        advertiserId: ADVERTISER.advertiserId,
        calculateType: 'EMAIL_SHA256',
        ...file,
        md5: createHash('md5').update('other bytes').digest('hex'),
      }),
    );
    expect(error.constructor).toBe(RetryableError);
    expect(error.providerCode).toBe(40900);
    expect(error.requestId).toBeTruthy();
  });

  it('sent every request to a path with a trailing slash, each answered with HTTP 200 as TikTok does, errors included', () => {
    const paths = running.emulator.requests.map((request) => request.path);
    expect(paths.length).toBeGreaterThan(10);
    paths.forEach((path) => expect(path).toMatch(/\/$/));
    expect(running.emulator.requests.filter((request) => request.httpStatus !== 200)).toEqual([]);
  });

  it('revokes a token, after which calls fail as invalid credentials', async () => {
    const doomed = await accessToken();
    await expect(client.getUserInfo(doomed)).resolves.toMatchObject({ coreUserId: '7400000000000000001' });

    await client.revokeToken({ appId: APP.appId, secret: APP.secret, accessToken: doomed });

    const error = await failure(client.getUserInfo(doomed));
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.providerCode).toBe(40105);
    expect(error.message).toContain('re-authorize the TikTok account');
    expect(JSON.stringify(error)).not.toContain(doomed);
    // Other tokens of the app are untouched.
    await expect(client.getUserInfo(token)).resolves.toMatchObject({ displayName: 'Emulated TikTok user' });
  });
});
