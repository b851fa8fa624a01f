import type { RunningMetaEmulator } from '../src';
import { ACCOUNT, createAudience, startAuthorized } from './emulator-fixture';
import type { GraphHttp } from './graph-http';

// Bad input gets a specific Graph error, never a 500, a hang or a crash.
describe('Meta emulator: hostile input', () => {
  let running: RunningMetaEmulator;
  let graph: GraphHttp;
  let audience: string;

  beforeAll(async () => {
    ({ running, graph } = await startAuthorized());
    audience = await createAudience(graph, 'hostile');
  });

  afterAll(() => running.close());

  const raw = (method: string, path: string, body?: string, type = 'application/json', headers = {}) =>
    fetch(`${running.url}/v25.0${path}${path.includes('?') ? '&' : '?'}access_token=${graph.token}`, {
      method,
      headers: body === undefined ? headers : { 'Content-Type': type, ...headers },
      body,
    });

  it.each([
    ['a payload that is a number', { payload: 42 }],
    ['a payload that is an array', { payload: [1, 2] }],
    ['a schema of 1,000 keys', { payload: { schema: Array(1000).fill('EMAIL'), data: [['a']] } }],
    ['rows that are not lists', { payload: { schema: ['EMAIL'], data: ['a', 'b'] } }],
    ['cells that are numbers', { payload: { schema: ['EMAIL'], data: [[1]] } }],
    ['a session that is a list', { payload: { schema: ['EMAIL'], data: [['a']] }, session: [1] }],
    [
      'a session id too large for JSON numbers',
      {
        payload: { schema: ['EMAIL'], data: [['a']] },
        session: { session_id: 1e20, batch_seq: 1, last_batch_flag: true },
      },
    ],
    [
      'a session as malformed JSON text',
      { payload: { schema: ['EMAIL'], data: [['a']] }, session: '{"session_id":' },
    ],
    ['a payload nested 10,000 deep', { payload: '['.repeat(10_000) + ']'.repeat(10_000) }],
  ])('answers %s with 100', async (_name, params) => {
    const answer = await graph.post(`/${audience}/users`, params, 'json');
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(100);
  });

  it('answers malformed requests with Graph errors', async () => {
    const answers = [
      await raw('POST', `/${audience}/users`, '{"payload":', 'application/json'),
      await raw('POST', `/${audience}/users`, '[1,2]', 'application/json'),
      await raw('POST', `/${audience}/users`, '--x\r\nbroken', 'multipart/form-data; boundary=x'),
      await raw('POST', `/${audience}/users`, 'payload=x', 'multipart/form-data'),
      await raw('GET', `/act_${ACCOUNT}/customaudiences?limit=abc`),
      await raw('GET', `/act_${ACCOUNT}/customaudiences?limit=100000`),
      await raw('GET', `/act_${ACCOUNT}/customaudiences?after=not-a-cursor`),
      await raw('GET', `/act_${ACCOUNT}/customaudiences?fields=${'f,'.repeat(60)}`),
      await raw('GET', `/me?${Array.from({ length: 120 }, (_, index) => `p${index}=1`).join('&')}`),
      await raw('PUT', '/me'),
      await raw('GET', `/${'9'.repeat(30)}`),
      await raw('GET', `/act_${ACCOUNT}/customaudiences/${'x/'.repeat(50)}`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      const body = (await answer.json()) as { error: { code: number; fbtrace_id: string } };
      expect(body.error.code).toEqual(expect.any(Number));
      expect(body.error.fbtrace_id).toEqual(expect.any(String));
    }
  });

  it('refuses a garbled token or Authorization header with 190 or 104', async () => {
    const garbled = await fetch(`${running.url}/v25.0/me`, {
      headers: { Authorization: 'Bearer \u00ff\u00fe' },
    });
    expect(garbled.status).toBe(400);
    const noScheme = await fetch(`${running.url}/v25.0/me`, { headers: { Authorization: 'Basic abc' } });
    expect(((await noScheme.json()) as { error: { code: number } }).error.code).toBe(104);
  });

  it('keeps serving, and never answered 500', async () => {
    expect((await graph.get('/me')).status).toBe(200);
    const statuses = (await graph.admin('GET', '/requests')).requests.map(
      (entry: { httpStatus: number }) => entry.httpStatus,
    );
    expect(statuses.filter((status: number) => status >= 500)).toEqual([]);
  });
});
