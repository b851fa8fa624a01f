import type { ProviderRequestObservation } from '@conduit/destinations-core';
import { FakeTikTok, ok, tiktokError } from './__fixtures__/fake-tiktok-server';
import { TikTokClient } from './tiktok.client';

const TOKEN = 'tok-observer-5f0c1e9a';
const ADVERTISER = '7200000000000000001';

const fake = new FakeTikTok();
let observed: ProviderRequestObservation[];
let client: TikTokClient;

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  observed = [];
  client = new TikTokClient({
    baseUrl: fake.baseUrl,
    timeoutMs: 2000,
    observer: {
      requestFinished: (observation) => observed.push(observation),
      rateLimitWaited: () => undefined,
    },
  });
});

const codes = () => observed.map(({ endpoint, code }) => `${endpoint} ${code}`);

describe('TikTokClient: what it tells its observer (the metrics)', () => {
  it('names each request by method and path template (never its query or ids), with the HTTP status', async () => {
    fake.reply(ok({ core_user_id: '1', display_name: 'Ops' }));
    await client.getUserInfo(TOKEN);
    fake.reply(ok({ list: [], page_info: { page: 1, page_size: 10, total_number: 0, total_page: 0 } }));
    await client.listAudiences(TOKEN, { advertiserId: ADVERTISER }).catch(() => undefined);
    expect(codes()).toEqual(['GET user/info/ 200', 'GET dmp/custom_audience/list/ 200']);
    expect(observed[0]).toMatchObject({ provider: 'tiktok' });
    expect(observed[0]?.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(observed)).not.toContain(ADVERTISER);
    expect(JSON.stringify(observed)).not.toContain(TOKEN);
  });

  it("reports TikTok's own code when it answers 200 with an error, the status otherwise", async () => {
    fake.reply(tiktokError(40100, 'Too many requests'));
    await client.getUserInfo(TOKEN).catch(() => undefined);
    fake.reply({ status: 429, raw: 'Too Many Requests' });
    await client.getUserInfo(TOKEN).catch(() => undefined);
    fake.reply({ status: 503, raw: 'unavailable' });
    await client.getUserInfo(TOKEN).catch(() => undefined);
    expect(codes()).toEqual(['GET user/info/ 40100', 'GET user/info/ 429', 'GET user/info/ 503']);
  });

  it('reports a timeout as such, and a broken observer never fails the call', async () => {
    const slow = new TikTokClient({
      baseUrl: fake.baseUrl,
      timeoutMs: 50,
      observer: {
        requestFinished: (observation) => observed.push(observation),
        rateLimitWaited: () => undefined,
      },
    });
    fake.reply({ hang: true });
    await slow.getUserInfo(TOKEN).catch(() => undefined);
    expect(codes()).toEqual(['GET user/info/ timeout']);

    const broken = new TikTokClient({
      baseUrl: fake.baseUrl,
      observer: {
        requestFinished: () => {
          throw new Error('metrics down');
        },
        rateLimitWaited: () => undefined,
      },
    });
    fake.reset();
    fake.reply(ok({ core_user_id: '1', display_name: 'Ops' }));
    await expect(broken.getUserInfo(TOKEN)).resolves.toMatchObject({ displayName: 'Ops' });
  });
});
