import { HUGE_BODY_BYTES, NO_FAULTS, TIKTOK_MESSAGES, TikTokCode } from '../src';
import { ADVERTISER, startAuthorized } from './emulator-fixture';
import { sha256Values } from './tiktok-http';

// The hostile provider: random 40100s, cut answers and latency spikes, and one-off answers no
// client should trust (a gateway's HTML, JSON without the envelope, 20 MB, fields left out, any code).

const generous = { rateLimit: { perSecond: 1000, perMinute: 100_000 } };
const CREATE = '/dmp/custom_audience/create/';
const UPLOAD = '/dmp/custom_audience/file/upload/';

describe('TikTok emulator: hostile faults', () => {
  it('answers 40100 at random, and cuts answers mid-body after carrying the call out', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      await tiktok.admin('POST', '/faults', { rateLimitedRate: 1 });
      expect(await tiktok.get('/user/info/')).toMatchObject({ code: TikTokCode.TOO_MANY_REQUESTS });
      const filePath = (
        await (async () => {
          await tiktok.admin('POST', '/faults', { rateLimitedRate: 0 });
          return tiktok.upload(ADVERTISER, sha256Values(3).join('\n'));
        })()
      ).data.file_path as string;
      await tiktok.admin('POST', '/faults', { cutBodyRate: 1 });
      const response = await fetch(`${running.url}/open_api/v1.3${CREATE}`, {
        method: 'POST',
        headers: { 'Access-Token': tiktok.token as string, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          advertiser_id: ADVERTISER,
          custom_audience_name: 'Cut answer',
          calculate_type: 'EMAIL_SHA256',
          file_paths: [filePath],
        }),
      });
      // The headers came, the body never completes.
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      await tiktok.admin('POST', '/faults', { cutBodyRate: 0 });
      const { audiences } = await tiktok.admin('GET', '/audiences');
      expect(audiences.map((audience: { name: string }) => audience.name)).toEqual(['Cut answer']);
      const { requests } = await tiktok.admin('GET', '/requests');
      expect(requests.at(-1)).toMatchObject({ path: CREATE, code: 0, fault: 'cutBody' });
      // The server is fine afterwards.
      expect((await tiktok.get('/user/info/')).code).toBe(0);
    } finally {
      await running.close();
    }
  });

  it('holds some calls for a latency spike, the same calls for the same seed', async () => {
    const delays = async (seed: number) => {
      const { running, tiktok } = await startAuthorized({
        ...generous,
        seed,
        faults: { ...NO_FAULTS, latencySpikeRate: 0.5, latencySpikeMs: 20 },
      });
      try {
        for (let call = 0; call < 16; call++) await tiktok.get('/user/info/');
        const { requests } = await tiktok.admin('GET', '/requests');
        return requests
          .filter((entry: { path: string }) => entry.path === '/user/info/')
          .map((entry: { delayedMs?: number }) => entry.delayedMs ?? 0);
      } finally {
        await running.close();
      }
    };
    const first = await delays(11);
    expect(new Set(first)).toEqual(new Set([0, 20]));
    expect(await delays(11)).toEqual(first);
  });

  it('answers a scheduled TikTok code on one path with its message, without carrying the call out', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      await tiktok.admin('POST', '/faults/next', { path: CREATE, outcome: 'code', code: 40001 });
      await tiktok.admin('POST', '/faults/next', { path: UPLOAD, outcome: 'code', code: 40002, times: 1 });
      expect(await tiktok.upload(ADVERTISER, sha256Values(2).join('\n'))).toMatchObject({
        code: TikTokCode.PARAM_INVALID,
        message: TIKTOK_MESSAGES[TikTokCode.PARAM_INVALID],
      });
      const filePath = (await tiktok.upload(ADVERTISER, sha256Values(2).join('\n'))).data.file_path;
      const create = {
        advertiser_id: ADVERTISER,
        custom_audience_name: 'Refused',
        calculate_type: 'EMAIL_SHA256',
        file_paths: [filePath],
      };
      expect(await tiktok.post(CREATE, create)).toMatchObject({
        code: TikTokCode.NO_PERMISSION,
        message: TIKTOK_MESSAGES[TikTokCode.NO_PERMISSION],
        data: {},
      });
      expect((await tiktok.admin('GET', '/audiences')).audiences).toEqual([]);
      await tiktok.admin('POST', '/faults/next', {
        path: '/user/info/',
        outcome: 'code',
        code: 40105,
        message: 'Revoked by the advertiser.',
        times: 5,
      });
      expect(await tiktok.get('/user/info/')).toMatchObject({
        code: 40105,
        message: 'Revoked by the advertiser.',
      });
      expect((await tiktok.admin('DELETE', '/faults/next')).scheduled).toEqual([]);
      expect((await tiktok.get('/user/info/')).code).toBe(0);
    } finally {
      await running.close();
    }
  });

  it('refuses fault settings and scheduled faults it cannot honour', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      const refused = [
        await tiktok.admin('POST', '/faults/next', { outcome: 'code' }),
        await tiktok.admin('POST', '/faults/next', { outcome: 'code', code: 0 }),
        await tiktok.admin('POST', '/faults/next', { outcome: 'notJson', times: 0 }),
        await tiktok.admin('POST', '/faults/next', { outcome: 'notJson', path: 'no-slash' }),
        await tiktok.admin('POST', '/faults/next', { outcome: 'teapot' }),
        await tiktok.admin('POST', '/faults', { cutBodyRate: 1.5 }),
        await tiktok.admin('POST', '/faults', { latencySpikeMs: -1 }),
      ];
      for (const answer of refused) expect(answer).toEqual({ error: expect.any(String) });
      expect(refused[0].error).toMatch(/non-zero integer code/);
      expect(refused[5].error).toMatch(/"cutBodyRate"/);
      expect((await tiktok.admin('GET', '/faults')).scheduled).toEqual([]);
      expect(() => running.emulator.scheduleFault({ outcome: 'code', times: 1 })).toThrow(/code/);
    } finally {
      await running.close();
    }
  });

  it('answers a gateway page, JSON without the envelope and a 20 MB body with HTTP 200, then serves on', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    const url = `${running.url}/open_api/v1.3/user/info/`;
    const headers = { 'Access-Token': tiktok.token as string };
    try {
      await tiktok.admin('POST', '/faults/next', { outcome: 'notJson' });
      const page = await fetch(url, { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const html = await page.text();
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(() => JSON.parse(html) as unknown).toThrow();

      await tiktok.admin('POST', '/faults/next', { outcome: 'noEnvelope' });
      const bare = (await (await fetch(url, { headers })).json()) as Record<string, unknown>;
      expect(bare).not.toHaveProperty('code');
      expect(bare).not.toHaveProperty('data');

      await tiktok.admin('POST', '/faults/next', { outcome: 'hugeBody', times: 2 });
      const huge = await fetch(url, { headers });
      expect(Number(huge.headers.get('content-length'))).toBe(HUGE_BODY_BYTES);
      const body = await huge.text();
      expect(Buffer.byteLength(body)).toBe(HUGE_BODY_BYTES);
      expect(JSON.parse(body)).toMatchObject({ code: 0, data: { padding: expect.any(String) } });
      // A client that stops reading early closes the stream; the emulator lets it go.
      const abandoned = await fetch(url, { headers });
      const reader = (abandoned.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      await reader.cancel();

      expect((await tiktok.get('/user/info/')).code).toBe(0);
      const { requests } = await tiktok.admin('GET', '/requests');
      expect(
        requests
          .filter((entry: { fault?: string }) => entry.fault)
          .map((entry: { fault: string }) => entry.fault),
      ).toEqual(['notJson', 'noEnvelope', 'hugeBody', 'hugeBody']);
    } finally {
      await running.close();
    }
  });

  it('carries a call out and answers without the fields a client acts on', async () => {
    const { running, tiktok } = await startAuthorized(generous);
    try {
      await tiktok.admin('POST', '/faults/next', { path: UPLOAD, outcome: 'missingFields' });
      expect(await tiktok.upload(ADVERTISER, sha256Values(2).join('\n'))).toEqual({
        code: 0,
        message: 'OK',
        request_id: expect.any(String),
        data: {},
      });
      const filePath = (await tiktok.upload(ADVERTISER, sha256Values(2).join('\n'))).data.file_path;
      await tiktok.admin('POST', '/faults/next', { path: CREATE, outcome: 'missingFields' });
      const created = await tiktok.post(CREATE, {
        advertiser_id: ADVERTISER,
        custom_audience_name: 'Made, id not said',
        calculate_type: 'EMAIL_SHA256',
        file_paths: [filePath],
      });
      expect(created).toMatchObject({ code: 0, data: {} });
      expect(created.data).not.toHaveProperty('custom_audience_id');
      expect((await tiktok.admin('GET', '/audiences')).audiences).toHaveLength(1);
      await tiktok.admin('POST', '/faults/next', {
        path: '/dmp/custom_audience/list/',
        outcome: 'missingFields',
      });
      const listed = await tiktok.get('/dmp/custom_audience/list/', { advertiser_id: ADVERTISER });
      expect(listed.code).toBe(0);
      expect(listed.data).not.toHaveProperty('page_info');
      expect(listed.data).not.toHaveProperty('list');
    } finally {
      await running.close();
    }
  });
});
