import { join } from 'node:path';
import { JobRunner, Segment, SEGMENT_ERROR_MESSAGE_MAX_LENGTH, SegmentStatus } from '@conduit/domain';
import {
  LocalSegmentRowStore,
  MAX_CSV_COLUMNS,
  MAX_CSV_RECORD_BYTES,
  MAX_STORED_ROW_LENGTH,
} from '@conduit/segment-store';
import type { SeededCompany } from '@conduit/domain/testing';
import { EntityManager } from '@mikro-orm/core';
import { bearer, bootApi, type ApiHarness } from './api-harness';

// Uploads of several megabytes are parsed in the background of these requests.
jest.setTimeout(60_000);

const postgres = process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';

/** Hostile uploads (issue #10): every failure ends FAILED with a short, storable message. */
describe(`segments with hostile input (${postgres})`, () => {
  let api: ApiHarness;
  let acme: SeededCompany;
  let collaborationId: string;

  beforeAll(async () => {
    api = await bootApi();
    acme = await api.seedCompany('Acme');
    collaborationId = (
      await api.http.post('/collaborations').set(bearer(acme.apiKey)).send({ name: 'Acme alone' }).expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await api?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  const base = () => `/collaborations/${collaborationId}/segments`;
  const get = (path: string) => api.http.get(path).set(bearer(acme.apiKey));
  const settle = () => api.app.get(JobRunner).idle();

  async function uploadSegment(name: string): Promise<string> {
    const created = await api.http
      .post(base())
      .set(bearer(acme.apiKey))
      .send({
        name,
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      })
      .expect(201);
    return created.body.id;
  }

  /** Uploads `content` to the segment and waits for its run; returns the segment as the API shows it. */
  async function uploadAndSettle(id: string, content: string | Buffer) {
    await api.http
      .put(`${base()}/${id}/upload`)
      .set(bearer(acme.apiKey))
      .attach('file', Buffer.from(content), 'segment.csv')
      .expect(202);
    await settle();
    return (await get(`${base()}/${id}`).expect(200)).body;
  }

  it('fails a header holding NUL with a readable message, and so does the retry', async () => {
    const id = await uploadSegment('NUL header');
    const csv = 'em\u0000ail,country\na@example.com,FR\n';
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(await uploadAndSettle(id, csv)).toMatchObject({
        status: 'FAILED',
        errorMessage: 'The header has no column "email" (header: email, country).',
      });
    }
  });

  it('fails a 20 MB header with a short message, and the list stays small', async () => {
    const id = await uploadSegment('Huge header');
    const failed = await uploadAndSettle(id, `email,${'h'.repeat(20 * 1024 * 1024)}\na@example.com,x\n`);
    expect(failed.status).toBe('FAILED');
    expect(failed.errorMessage).toBe(
      `The record at line 1 is longer than ${MAX_CSV_RECORD_BYTES} bytes, the limit for one CSV record ` +
        '(the header or a row); shorten its cells or keep fewer columns.',
    );
    const list = await get(base()).expect(200);
    expect(list.text.length).toBeLessThan(20_000);
  });

  it('fails a header wider than the limit, naming it', async () => {
    const id = await uploadSegment('Wide header');
    const header = ['email', ...Array.from({ length: MAX_CSV_COLUMNS }, (_, index) => `c${index}`)].join(',');
    expect(await uploadAndSettle(id, `${header}\n`)).toMatchObject({
      status: 'FAILED',
      errorMessage: `The header at line 1 has ${MAX_CSV_COLUMNS + 1} columns; a CSV may have at most ${MAX_CSV_COLUMNS}.`,
    });
  });

  it('caps a message stored before the cap existed, in the segment and in the list', async () => {
    const id = await uploadSegment('Old huge message');
    await api.app
      .get(EntityManager)
      .fork()
      .nativeUpdate(Segment, { id }, { status: SegmentStatus.FAILED, errorMessage: 'm'.repeat(5_000_000) });
    const shown = (await get(`${base()}/${id}`).expect(200)).body.errorMessage as string;
    expect(shown).toBe(`${'m'.repeat(SEGMENT_ERROR_MESSAGE_MAX_LENGTH - 1)}…`);
    const listed = (await get(base()).expect(200)).body.data.find(
      (segment: { id: string }) => segment.id === id,
    );
    expect(listed.errorMessage).toBe(shown);
  });

  it('refuses to preview a stored row past the limit, pointing at a refresh', async () => {
    const id = await uploadSegment('Old huge row');
    // A dataset as a store without the row limit wrote it, before the fix.
    const lenient = new LocalSegmentRowStore(join(api.db.env['CONDUIT_DATA_DIR'], 'segments'), {
      maxRowLength: 2 * MAX_STORED_ROW_LENGTH,
    });
    const writer = await lenient.openWriter(`${id}-g1`);
    await writer.write({ email: 'a@example.com', note: 'x'.repeat(MAX_STORED_ROW_LENGTH + 1) });
    await writer.commit();
    await api.app
      .get(EntityManager)
      .fork()
      .nativeUpdate(Segment, { id }, { status: SegmentStatus.READY, datasetId: `${id}-g1` });
    const refused = await get(`${base()}/${id}/rows`).expect(409);
    expect(refused.body).toMatchObject({
      code: 'SEGMENT_NO_DATA',
      message: expect.stringContaining(`holds a row longer than ${MAX_STORED_ROW_LENGTH} characters`),
    });
  });

  it('stops reading rows once the client that asked for them disconnects', async () => {
    const id = await uploadSegment('Abandoned preview');
    expect(await uploadAndSettle(id, 'email\na@example.com\n')).toMatchObject({ status: 'READY' });
    let reading!: (signal: AbortSignal) => void;
    const started = new Promise<AbortSignal>((resolve) => (reading = resolve));
    // A read whose next row never comes: only the request's signal can end it.
    jest.spyOn(LocalSegmentRowStore.prototype, 'read').mockImplementationOnce((_id, options) => {
      const signal = options?.signal as AbortSignal;
      reading(signal);
      return {
        [Symbol.asyncIterator]: () => ({
          next: () =>
            new Promise<never>((_resolve, reject) =>
              signal.addEventListener('abort', () => reject(signal.reason)),
            ),
        }),
      };
    });
    const request = get(`${base()}/${id}/rows`);
    const answered = request.then(
      () => 'answered',
      () => 'aborted',
    );
    const signal = await started;
    expect(signal.aborted).toBe(false);
    request.abort();
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(signal.reason).toEqual(
      new Error('The client closed the connection before the response was sent.'),
    );
    expect(await answered).toBe('aborted');
  });

  it('still ends FAILED, with a generic message, when the database refuses the message itself', async () => {
    const connection = api.app.get(EntityManager).getConnection();
    // A trigger refusing any message that quotes "refuse-me": a stand-in for a byte the database rejects.
    const refuse =
      postgres === 'PostgreSQL'
        ? [
            `CREATE FUNCTION refuse_marked_message() RETURNS trigger AS $$ BEGIN
               IF NEW.error_message LIKE '%refuse-me%' THEN RAISE EXCEPTION 'refused'; END IF;
               RETURN NEW;
             END $$ LANGUAGE plpgsql`,
            `CREATE TRIGGER refuse_marked_message BEFORE UPDATE ON segments
               FOR EACH ROW EXECUTE FUNCTION refuse_marked_message()`,
          ]
        : [
            `CREATE TRIGGER refuse_marked_message BEFORE UPDATE ON segments
               WHEN NEW.error_message LIKE '%refuse-me%' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
          ];
    for (const statement of refuse) await connection.execute(statement);
    try {
      const id = await uploadSegment('Refused message');
      expect(await uploadAndSettle(id, 'refuse-me,country\nx,FR\n')).toMatchObject({
        status: 'FAILED',
        errorMessage: `Materializing failed, and saving why failed too (segment ${id}); refresh to retry. If it keeps failing, contact support.`,
      });
    } finally {
      await connection.execute(
        'DROP TRIGGER refuse_marked_message' + (postgres === 'PostgreSQL' ? ' ON segments' : ''),
      );
    }
  });
});
