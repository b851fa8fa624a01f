import { NO_FAULTS, TikTokCode, xorDigest } from '../src';
import { ADVERTISER, startAuthorized } from './emulator-fixture';
import { ManualClock } from './manual-clock';
import { sha256Values } from './tiktok-http';

// The clock stands still between moves: every call below lands in the same instant unless the spec
// advances it, so the windows' edges are tested exactly and a slow machine cannot spread the calls.
describe('TikTok emulator: rate limits', () => {
  async function codesOf(calls: number, tiktok: { get(path: string): Promise<{ code: number }> }) {
    const codes: number[] = [];
    for (let call = 0; call < calls; call++) codes.push((await tiktok.get('/user/info/')).code);
    return codes;
  }

  it('answers the 11th request inside one second with 40100, and lets calls through once the second has passed', async () => {
    const clock = new ManualClock();
    const { running, tiktok } = await startAuthorized({
      clock,
      rateLimit: { perSecond: 10, perMinute: 600 },
    });
    try {
      clock.advance(1000); // the token exchange counted too: its second is over
      expect(await codesOf(11, tiktok)).toEqual([...Array(10).fill(0), TikTokCode.TOO_MANY_REQUESTS]);
      clock.advance(999);
      expect(await codesOf(1, tiktok)).toEqual([TikTokCode.TOO_MANY_REQUESTS]);
      // A full second after the first ten, and the refused calls were not counted: ten more pass.
      clock.advance(1);
      expect(await codesOf(11, tiktok)).toEqual([...Array(10).fill(0), TikTokCode.TOO_MANY_REQUESTS]);
    } finally {
      await running.close();
    }
  });

  it('enforces the per-minute quota over a sliding minute', async () => {
    const clock = new ManualClock();
    const { running, tiktok } = await startAuthorized({ clock, rateLimit: { perSecond: 100, perMinute: 5 } });
    try {
      // 1 call went to the token exchange, at the start of the minute.
      expect(await codesOf(5, tiktok)).toEqual([0, 0, 0, 0, TikTokCode.TOO_MANY_REQUESTS]);
      clock.advance(59_999);
      expect(await codesOf(1, tiktok)).toEqual([TikTokCode.TOO_MANY_REQUESTS]);
      // The minute has slid past all five counted calls.
      clock.advance(1);
      expect(await codesOf(6, tiktok)).toEqual([0, 0, 0, 0, 0, TikTokCode.TOO_MANY_REQUESTS]);
    } finally {
      await running.close();
    }
  });
});

describe('TikTok emulator: fault injection', () => {
  const generous = { rateLimit: { perSecond: 1000, perMinute: 100_000 } };

  it('injects 50000 system errors, HTTP 503s, dropped connections and 40100 bursts on demand', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      await tiktok.admin('POST', '/faults', { systemErrorRate: 1 });
      expect(await tiktok.get('/user/info/')).toMatchObject({ code: TikTokCode.SYSTEM_ERROR, data: {} });
      await tiktok.admin('POST', '/faults', { systemErrorRate: 0, http5xxRate: 1 });
      const unavailable = await fetch(`${running.url}/open_api/v1.3/user/info/`, {
        headers: { 'Access-Token': tiktok.token as string },
      });
      expect(unavailable.status).toBe(503);
      await tiktok.admin('POST', '/faults', { http5xxRate: 0, dropRate: 1 });
      await expect(
        fetch(`${running.url}/open_api/v1.3/user/info/`, {
          headers: { 'Access-Token': tiktok.token as string },
        }),
      ).rejects.toThrow();
      await tiktok.admin('POST', '/faults', { dropRate: 0, rateLimitBurst: 2 });
      expect((await tiktok.get('/user/info/')).code).toBe(TikTokCode.TOO_MANY_REQUESTS);
      expect((await tiktok.get('/user/info/')).code).toBe(TikTokCode.TOO_MANY_REQUESTS);
      expect((await tiktok.get('/user/info/')).code).toBe(0);
      expect(await tiktok.admin('POST', '/faults', { nonsense: 1 })).toEqual({
        error: expect.stringMatching(/Unknown or invalid fault setting "nonsense"/),
      });
    } finally {
      await running.close();
    }
  });

  it('adds latency', async () => {
    const { running, tiktok } = await startAuthorized({
      ...generous,
      faults: { ...NO_FAULTS, latencyMs: 150 },
    });
    try {
      const started = Date.now();
      await tiktok.get('/user/info/');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await running.close();
    }
  });

  it('fails the next calls of one path, and a failed create leaves no audience behind', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      const filePath = (await tiktok.upload(ADVERTISER, sha256Values(5).join('\n'))).data.file_path;
      await tiktok.admin('POST', '/faults/next', {
        path: '/dmp/custom_audience/create/',
        outcome: 'systemError',
        times: 1,
      });
      const body = {
        advertiser_id: ADVERTISER,
        custom_audience_name: 'Retry me',
        calculate_type: 'EMAIL_SHA256',
        file_paths: [filePath],
      };
      expect((await tiktok.post('/dmp/custom_audience/create/', body)).code).toBe(TikTokCode.SYSTEM_ERROR);
      expect((await tiktok.get('/user/info/')).code).toBe(0);
      expect((await tiktok.post('/dmp/custom_audience/create/', body)).code).toBe(0);
      const { audiences } = await tiktok.admin('GET', '/audiences');
      expect(audiences).toHaveLength(1);
      expect(audiences[0].identifiers.EMAIL_SHA256.digest).toBe(xorDigest(sha256Values(5)));
      const { requests } = await tiktok.admin('GET', '/requests');
      expect(
        requests
          .filter((entry: { path: string }) => entry.path === '/dmp/custom_audience/create/')
          .map((entry: { code: number; fault?: string }) => [entry.code, entry.fault ?? null]),
      ).toEqual([
        [TikTokCode.SYSTEM_ERROR, 'systemError'],
        [0, null],
      ]);
    } finally {
      await running.close();
    }
  });

  it('carries out a call whose answer it then loses: the audience exists, the caller got no answer', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      const filePath = (await tiktok.upload(ADVERTISER, sha256Values(3).join('\n'))).data.file_path;
      await tiktok.admin('POST', '/faults/next', {
        path: '/dmp/custom_audience/create/',
        outcome: 'lostAnswer',
      });
      await expect(
        tiktok.post('/dmp/custom_audience/create/', {
          advertiser_id: ADVERTISER,
          custom_audience_name: 'Created in silence',
          calculate_type: 'EMAIL_SHA256',
          file_paths: [filePath],
        }),
      ).rejects.toThrow();
      const { audiences } = await tiktok.admin('GET', '/audiences');
      expect(audiences.map((audience: { name: string }) => audience.name)).toEqual(['Created in silence']);
      const { requests } = await tiktok.admin('GET', '/requests');
      expect(requests.at(-1)).toMatchObject({ code: 0, httpStatus: 0, fault: 'lostAnswer' });
    } finally {
      await running.close();
    }
  });

  it('is deterministic for a seed', async () => {
    const sequence = async (seed: number) => {
      const { running, tiktok } = await startAuthorized({
        ...generous,
        seed,
        faults: { ...NO_FAULTS, systemErrorRate: 0.5 },
      });
      try {
        await tiktok.admin('POST', '/faults', { systemErrorRate: 0.5, seed });
        const codes: number[] = [];
        for (let call = 0; call < 30; call++) codes.push((await tiktok.get('/user/info/')).code);
        return codes;
      } finally {
        await running.close();
      }
    };
    const first = await sequence(42);
    expect(await sequence(42)).toEqual(first);
    expect(first).toContain(0);
    expect(first).toContain(TikTokCode.SYSTEM_ERROR);
    expect(await sequence(7)).not.toEqual(first);
  });

  it('keeps the default minimum of 1,000 users on update', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      const values = sha256Values(1000, 'thousand');
      const created = await tiktok.post('/dmp/custom_audience/create/', {
        advertiser_id: ADVERTISER,
        custom_audience_name: 'Thousand',
        calculate_type: 'EMAIL_SHA256',
        file_paths: [(await tiktok.upload(ADVERTISER, values.join('\n'))).data.file_path],
      });
      running.emulator.finishProcessing(); // an audience still processing refuses every update
      const removal = await tiktok.post('/dmp/custom_audience/update/', {
        advertiser_id: ADVERTISER,
        custom_audience_id: created.data.custom_audience_id,
        action: 'REMOVE',
        file_paths: [(await tiktok.upload(ADVERTISER, values[0])).data.file_path],
      });
      expect(removal).toMatchObject({
        code: TikTokCode.PARAM_INVALID,
        message: expect.stringMatching(/999 users, below the minimum of 1000/),
      });
    } finally {
      await running.close();
    }
  });
});
