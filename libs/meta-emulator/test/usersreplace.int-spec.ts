import type { RunningMetaEmulator } from '../src';
import { createAudience, startAuthorized } from './emulator-fixture';
import { sha256Values, type GraphHttp } from './graph-http';
import { ManualClock } from './manual-clock';

const MINUTE = 60_000;

describe('Meta emulator: /usersreplace sessions', () => {
  let running: RunningMetaEmulator;
  let graph: GraphHttp;
  const clock = new ManualClock();
  let sessionIds = 1000;

  beforeAll(async () => {
    ({ running, graph } = await startAuthorized({ clock, processingDelayMs: 0 }));
  });

  afterAll(() => running.close());

  const replace = (
    audience: string,
    sessionId: number,
    batchSeq: number,
    last: boolean,
    values: string[],
    schema = ['EMAIL'],
  ) =>
    graph.post(`/${audience}/usersreplace`, {
      payload: { schema, data: values.map((value) => schema.map(() => value)) },
      session: { session_id: sessionId, batch_seq: batchSeq, last_batch_flag: last },
    });

  const emailsOf = async (audience: string) =>
    (await graph.admin('GET', `/audiences/${audience}`)).identifiers.EMAIL ?? [];
  const statusOf = async (audience: string) =>
    (await graph.get(`/${audience}`, { fields: 'operation_status' })).body.operation_status.code;

  async function filled(name: string, values: string[]): Promise<string> {
    const audience = await createAudience(graph, name);
    await graph.post(`/${audience}/users`, {
      payload: { schema: ['EMAIL'], data: values.map((value) => [value]) },
    });
    return audience;
  }

  it('replaces everyone once the last batch arrives; until then the audience keeps its members and reports 414', async () => {
    const old = sha256Values(3, 'old');
    const fresh = sha256Values(4, 'new');
    const audience = await filled('replace', old);
    const session = sessionIds++;
    const first = await replace(audience, session, 1, false, fresh.slice(0, 2));
    expect(first.body).toEqual({
      audience_id: audience,
      session_id: String(session),
      num_received: 2,
      num_invalid_entries: 0,
      invalid_entry_samples: {},
    });
    expect(await statusOf(audience)).toBe(414);
    expect(await emailsOf(audience)).toEqual([...old].sort());
    // Later batches may carry any number but 1, and may repeat.
    expect((await replace(audience, session, 5, false, fresh.slice(2, 3))).status).toBe(200);
    const last = await replace(audience, session, 5, true, fresh.slice(3));
    expect(last.body.num_received).toBe(4);
    expect(await emailsOf(audience)).toEqual([...fresh].sort());
    expect(await statusOf(audience)).toBe(200);
  });

  it('runs one replace at a time per audience (2650/1870145), and /users waits too', async () => {
    const audience = await filled('busy', sha256Values(2, 'busy'));
    const running = sessionIds++;
    await replace(audience, running, 1, false, sha256Values(1, 'r'));
    const other = await replace(audience, sessionIds++, 1, true, sha256Values(1, 'x'));
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({
      code: 2650,
      error_subcode: 1870145,
      error_user_title: 'Audience Update In Progress',
    });
    const users = await graph.post(`/${audience}/users`, {
      payload: { schema: ['EMAIL'], data: [[sha256Values(1, 'u')[0]]] },
    });
    expect(users.body.error).toMatchObject({ code: 2650, error_subcode: 1870145 });
    expect((await replace(audience, running, 2, true, sha256Values(1, 'r2'))).status).toBe(200);
  });

  it('starts a session on batch 1 only and never takes batch 1 again (1870147)', async () => {
    const audience = await filled('batches', sha256Values(1, 'b'));
    const session = sessionIds++;
    expect((await replace(audience, session, 2, false, sha256Values(1, 'b2'))).body.error).toMatchObject({
      code: 2650,
      error_subcode: 1870147,
    });
    await replace(audience, session, 1, false, sha256Values(1, 'b1'));
    expect((await replace(audience, session, 1, false, sha256Values(1, 'b3'))).body.error).toMatchObject({
      code: 2650,
      error_subcode: 1870147,
    });
    // The schema stays the same across batches.
    const otherSchema = await replace(audience, session, 2, false, ['a'.repeat(64)], ['EMAIL', 'PHONE']);
    expect(otherSchema.body.error).toMatchObject({
      code: 100,
      message: expect.stringContaining('schema of a replace session'),
    });
    expect((await replace(audience, session, 2, true, sha256Values(1, 'b4'))).status).toBe(200);
  });

  it('refuses a batch after the last one (1870159) and requires a session', async () => {
    const audience = await filled('finished', sha256Values(1, 'f'));
    const session = sessionIds++;
    await replace(audience, session, 1, true, sha256Values(2, 'f2'));
    expect((await replace(audience, session, 2, false, sha256Values(1, 'f3'))).body.error).toMatchObject({
      code: 2650,
      error_subcode: 1870159,
    });
    const without = await graph.post(`/${audience}/usersreplace`, {
      payload: { schema: ['EMAIL'], data: [['a'.repeat(64)]] },
    });
    expect(without.body.error).toMatchObject({
      code: 100,
      message: '(#100) The parameter session is required',
    });
    expect(await emailsOf(audience)).toEqual(sha256Values(2, 'f2').sort());
  });

  it('ends a session 90 minutes after its first batch: the audience holds what came, 415, later batches 1870158', async () => {
    const old = sha256Values(3, 'to-old');
    const audience = await filled('timeout', old);
    const session = sessionIds++;
    const uploaded = sha256Values(2, 'to-new');
    await replace(audience, session, 1, false, uploaded.slice(0, 1));
    clock.advance(89 * MINUTE);
    expect((await replace(audience, session, 2, false, uploaded.slice(1))).status).toBe(200);
    expect(await statusOf(audience)).toBe(414);
    clock.advance(MINUTE);
    expect(await statusOf(audience)).toBe(415);
    expect(await emailsOf(audience)).toEqual([...uploaded].sort());
    const late = await replace(audience, session, 3, true, sha256Values(1, 'late'));
    expect(late.body.error).toMatchObject({
      code: 2650,
      error_subcode: 1870158,
      error_user_title: 'Replace Session Timed Out',
    });
    expect(await emailsOf(audience)).toEqual([...uploaded].sort());
    const sessions = (await graph.admin('GET', `/audiences/${audience}/sessions`)).sessions;
    expect(
      sessions.find((candidate: { session_id: string }) => candidate.session_id === String(session)),
    ).toMatchObject({
      kind: 'replace',
      state: 'timed_out',
      num_received: 2,
    });
    // A new, complete replace brings the audience back to Normal.
    const next = sessionIds++;
    await replace(audience, next, 1, true, sha256Values(1, 'again'));
    expect(await statusOf(audience)).toBe(200);
  });
});
