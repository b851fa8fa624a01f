import { compileWire, WIRE_USERS_ANSWER_SCHEMA } from '@conduit/destinations-meta-wire';
import type { RunningMetaEmulator } from '../src';
import { ACCOUNT, createAudience, startAuthorized } from './emulator-fixture';
import { madids, sha256, sha256Values, type GraphHttp } from './graph-http';
import { ManualClock } from './manual-clock';

const isUsersAnswer = compileWire(WIRE_USERS_ANSWER_SCHEMA);

describe('Meta emulator: /users sessions', () => {
  let running: RunningMetaEmulator;
  let graph: GraphHttp;
  const clock = new ManualClock();

  beforeAll(async () => {
    ({ running, graph } = await startAuthorized({ clock, processingDelayMs: 60_000 }));
  });

  afterAll(() => running.close());

  it('takes 25,000 rows in 3 batches of one session and holds exactly the identifiers sent, per key', async () => {
    const audience = await createAudience(graph, '25k');
    const emails = sha256Values(25_000);
    const devices = madids(25_000);
    // Phones are digits with the country code and no +: Meta holds the hash of that text.
    const phones = Array.from({ length: 25_000 }, (_, index) =>
      sha256(`1555${String(index).padStart(7, '0')}`),
    );
    const rows = emails.map((email, index) => [
      email,
      index % 2 === 0 ? phones[index] : '',
      index % 5 === 0 ? devices[index] : '',
    ]);
    const batches = [rows.slice(0, 10_000), rows.slice(10_000, 20_000), rows.slice(20_000)];
    const answers = [];
    for (const [index, batch] of batches.entries()) {
      const answer = await graph.post(`/${audience}/users`, {
        payload: { schema: ['EMAIL', 'PHONE', 'MADID'], data: batch },
        session: {
          session_id: 9778993,
          batch_seq: index + 1,
          last_batch_flag: index === 2,
          estimated_num_total: 25_000,
        },
      });
      expect(answer.status).toBe(200);
      expect(isUsersAnswer(answer.body)).toBe(true);
      answers.push(answer.body);
    }
    // num_received counts the session so far.
    expect(answers.map((answer) => answer.num_received)).toEqual([10_000, 20_000, 25_000]);
    expect(answers[2]).toEqual({
      audience_id: audience,
      session_id: '9778993',
      num_received: 25_000,
      num_invalid_entries: 0,
      invalid_entry_samples: {},
    });
    const held = await graph.admin('GET', `/audiences/${audience}`);
    expect(held.size).toBe(25_000);
    expect(held.identifiers.EMAIL).toEqual([...emails].sort());
    expect(held.identifiers.PHONE).toEqual(phones.filter((_, index) => index % 2 === 0).sort());
    expect(held.identifiers.MADID).toEqual(devices.filter((_, index) => index % 5 === 0).sort());
    expect(held.sessions).toEqual([
      expect.objectContaining({
        session_id: '9778993',
        kind: 'add',
        state: 'finished',
        num_received: 25_000,
        estimated_num_total: 25_000,
        batches: [
          expect.objectContaining({ batch_seq: 1, rows: 10_000, last_batch_flag: false }),
          expect.objectContaining({ batch_seq: 2, rows: 10_000, last_batch_flag: false }),
          expect.objectContaining({ batch_seq: 3, rows: 5_000, last_batch_flag: true }),
        ],
      }),
    ]);
    const log = (await graph.admin('GET', '/requests')).requests.filter(
      (entry: { route: string }) => entry.route === 'POST /{audience_id}/users',
    );
    expect(log.map((entry: { rows: number; batchSeq: number }) => [entry.rows, entry.batchSeq])).toEqual([
      [10_000, 1],
      [10_000, 2],
      [5_000, 3],
    ]);
  });

  it('reports the approximate counts once processing is over (moving the clock)', async () => {
    const audience = await createAudience(graph, 'counts');
    await graph.post(`/${audience}/users`, {
      payload: { schema: ['EMAIL'], data: sha256Values(5000, 'c').map((value) => [value]) },
    });
    const fields = {
      fields: 'approximate_count_lower_bound,approximate_count_upper_bound,operation_status,delivery_status',
    };
    const during = (await graph.get(`/${audience}`, fields)).body;
    expect(during).toMatchObject({ approximate_count_lower_bound: -1, operation_status: { code: 441 } });
    clock.advance(60_000);
    const after = (await graph.get(`/${audience}`, fields)).body;
    const matched = (await graph.admin('GET', `/audiences/${audience}`)).matched;
    // ≈ 80 % of 5,000 match, decided per row.
    expect(matched).toBeGreaterThan(3800);
    expect(matched).toBeLessThan(4200);
    expect(after).toMatchObject({
      approximate_count_lower_bound: Math.floor(matched * 0.98),
      approximate_count_upper_bound: Math.ceil(matched * 1.02),
      operation_status: { code: 200 },
      delivery_status: { code: 200 },
    });
  });

  it('counts wrongly hashed values as invalid entries, with samples, and keeps the valid rows', async () => {
    const audience = await createAudience(graph, 'invalid');
    const madid = madids(1)[0];
    const answer = await graph.post(`/${audience}/users`, {
      payload: {
        schema: ['EMAIL', 'MADID'],
        data: [
          ['mary@example.com', ''], // plaintext email
          [sha256('ok@example.com'), ''],
          ['', sha256(madid)], // a hashed MADID: Meta wants it plain
          ['', madid.toUpperCase()], // MADIDs are lowercase
          ['', madid],
          ['A'.repeat(64), ''], // hex, but uppercase
          ['', ''], // blank: nothing to match, not invalid
        ],
      },
    });
    expect(answer.body).toEqual({
      audience_id: audience,
      session_id: expect.stringMatching(/^\d+$/),
      num_received: 7,
      num_invalid_entries: 4,
      invalid_entry_samples: {
        'mary@example.com': 'EMAIL',
        [sha256(madid)]: 'MADID',
        [madid.toUpperCase()]: 'MADID',
        ['A'.repeat(64)]: 'EMAIL',
      },
    });
    const held = await graph.admin('GET', `/audiences/${audience}`);
    expect(held.identifiers).toEqual({ EMAIL: [sha256('ok@example.com')], MADID: [madid] });
  });

  it('accepts single-key schemas as flat lists or one-element lists, and the form, multipart and JSON encodings', async () => {
    const audience = await createAudience(graph, 'encodings');
    const [a, b, c, d] = sha256Values(4, 'enc');
    const other = await createAudience(graph, 'single-key');
    expect(
      (await graph.post(`/${other}/users`, { payload: { schema: 'EMAIL_SHA256', data: [a, b] } })).body
        .num_received,
    ).toBe(2);
    expect(
      (await graph.post(`/${other}/users`, { payload: { schema: 'EMAIL_SHA256', data: [[c]] } })).body
        .num_received,
    ).toBe(1);
    expect((await graph.admin('GET', `/audiences/${other}`)).identifiers.EMAIL).toEqual([a, b, c].sort());
    // An audience first filled with single keys refuses multi-key uploads (reference §4.1).
    const mixed = await graph.post(`/${other}/users`, { payload: { schema: ['EMAIL'], data: [[d]] } });
    expect(mixed.body.error).toMatchObject({
      code: 2650,
      message: expect.stringContaining(
        'FILE_IMPORTED.HASHES_OR_USER_IDS, which does not support data source FILE_IMPORTED.MULTI_HASHES',
      ),
    });
    for (const [value, encoding] of [
      [a, 'form'],
      [b, 'multipart'],
      [c, 'json'],
    ] as const)
      expect(
        (
          await graph.post(
            `/${audience}/users`,
            { payload: { schema: ['EMAIL'], data: [[value]] } },
            encoding,
          )
        ).status,
      ).toBe(200);
    expect((await graph.admin('GET', `/audiences/${audience}`)).identifiers.EMAIL).toEqual([a, b, c].sort());
  });

  it('removes people by DELETE (query or JSON body) and by POST with method=DELETE', async () => {
    const audience = await createAudience(graph, 'removals');
    const emails = sha256Values(6, 'rm');
    const devices = madids(6, 'rm');
    await graph.post(`/${audience}/users`, {
      payload: { schema: ['EMAIL', 'MADID'], data: emails.map((email, index) => [email, devices[index]]) },
    });
    const remove = (rows: string[][], how: 'query' | 'json' | 'override') =>
      how === 'override'
        ? graph.post(`/${audience}/users`, {
            method: 'DELETE',
            payload: { schema: ['EMAIL', 'MADID'], data: rows },
          })
        : graph.delete(`/${audience}/users`, { payload: { schema: ['EMAIL', 'MADID'], data: rows } }, how);
    expect((await remove([[emails[0], devices[0]]], 'query')).body.num_received).toBe(1);
    expect((await remove([[emails[1], '']], 'json')).status).toBe(200);
    // Meta matches people by any key: the MADID alone takes the person out.
    expect((await remove([['', devices[2]]], 'override')).status).toBe(200);
    const held = await graph.admin('GET', `/audiences/${audience}`);
    expect(held.identifiers.EMAIL).toEqual(emails.slice(3).sort());
    expect(held.identifiers.MADID).toEqual(devices.slice(3).sort());
    const routes = (await graph.admin('GET', '/requests')).requests
      .filter((entry: { audienceId: string }) => entry.audienceId === audience)
      .map((entry: { route: string }) => entry.route);
    expect(routes.filter((route: string) => route === 'DELETE /{audience_id}/users')).toHaveLength(3);
  });

  it('removes people from every audience of the account with usersofanyaudience', async () => {
    const [first, second] = [await createAudience(graph, 'any-1'), await createAudience(graph, 'any-2')];
    const [keep, optOut] = sha256Values(2, 'any');
    for (const audience of [first, second])
      await graph.post(`/${audience}/users`, { payload: { schema: ['EMAIL'], data: [[keep], [optOut]] } });
    const answer = await graph.delete(`/act_${ACCOUNT}/usersofanyaudience`, {
      payload: { schema: ['EMAIL'], data: [[optOut]] },
    });
    expect(answer.body).toMatchObject({ num_received: 1, num_invalid_entries: 0 });
    for (const audience of [first, second])
      expect((await graph.admin('GET', `/audiences/${audience}`)).identifiers.EMAIL).toEqual([keep]);
  });

  it('refuses more than 10,000 rows, unknown keys, ragged rows and bad sessions with 100', async () => {
    const audience = await createAudience(graph, 'refusals');
    const post = (params: Record<string, unknown>) => graph.post(`/${audience}/users`, params);
    const tooMany = await post({
      payload: { schema: ['EMAIL'], data: sha256Values(10_001, 'big').map((value) => [value]) },
    });
    expect(tooMany.body.error).toMatchObject({
      code: 100,
      message: expect.stringContaining('at most 10000 rows'),
    });
    expect(
      (await post({ payload: { schema: ['EMAIL', 'SHOE_SIZE'], data: [['a', '42']] } })).body.error.message,
    ).toContain('Invalid schema key: SHOE_SIZE');
    expect(
      (await post({ payload: { schema: ['EMAIL', 'PHONE'], data: [['a']] } })).body.error.message,
    ).toContain('Row 0 has 1 values but the schema has 2 keys');
    expect((await post({ payload: '{"schema":' })).body.error.message).toContain(
      'payload must be a JSON encoded string',
    );
    expect((await post({})).body.error.code).toBe(100);
    const badSession = await post({
      payload: { schema: ['EMAIL'], data: [[sha256('x')]] },
      session: { session_id: -1, batch_seq: 1, last_batch_flag: true },
    });
    expect(badSession.body.error).toMatchObject({
      code: 100,
      message: expect.stringContaining('Invalid session'),
    });
    const other = await createAudience(graph, 'other');
    await graph.post(`/${other}/users`, {
      payload: { schema: ['EMAIL'], data: [[sha256('y')]] },
      session: { session_id: 555, batch_seq: 1, last_batch_flag: false },
    });
    // A session id is the advertiser's, unique in the ad account.
    const reused = await post({
      payload: { schema: ['EMAIL'], data: [[sha256('y')]] },
      session: { session_id: 555, batch_seq: 2, last_batch_flag: true },
    });
    expect(reused.body.error).toMatchObject({
      code: 100,
      message: expect.stringContaining('session_id 555 is already used'),
    });
    expect(
      (await graph.admin('GET', '/requests')).requests.every(
        (entry: { httpStatus: number }) => entry.httpStatus < 500,
      ),
    ).toBe(true);
  });

  it('lists an audience’s sessions on the sessions edge', async () => {
    const audience = await createAudience(graph, 'sessions');
    await graph.post(`/${audience}/users`, {
      payload: { schema: ['EMAIL'], data: [[sha256('s1')], [sha256('s2')]] },
      session: { session_id: '777', batch_seq: 1, last_batch_flag: true },
    });
    const sessions = await graph.get(`/${audience}/sessions`);
    expect(sessions.body.data).toEqual([
      expect.objectContaining({
        session_id: '777',
        num_received: 2,
        num_invalid_entries: 0,
        stage: 'finished',
        progress: 100,
      }),
    ]);
  });
});
