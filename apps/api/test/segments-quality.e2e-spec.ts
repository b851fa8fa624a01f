import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { companySqliteFolder, JobRunner } from '@conduit/domain';
import { type SeededCompany } from '@conduit/domain/testing';
import Ajv from 'ajv';
import Database from 'libsql';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { buildOpenApiDocument } from '../src/docs/openapi-document';
import { bearer, bootApi, type ApiHarness } from './api-harness';

jest.setTimeout(60_000);

const database = process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';
/** The generated schemas, read as plain schema objects (no `$ref` at their top). */
const schemasOf = (document: ReturnType<typeof buildOpenApiDocument>) =>
  document.components?.schemas as Record<string, SchemaObject & { properties: Record<string, SchemaObject> }>;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** CRM rows with every kind of key problem, and identifiers in columns that are not keys. */
const CUSTOMERS: [string | null, string | null, string | null, string, string][] = [
  // email, phone, backup_phone (not a key), note (not a key), country
  ['jane@example.com', '+33 6 12 34 56 78', '+33612345679', 'VIP since 2026-11-25', 'FR'],
  ['john@example.com', '+1 415 555 2671', '(415) 555-2672', 'wrote from john.doe@work.example', 'US'],
  ['ann@example.com', null, null, 'device 38400000-8cf0-11bd-b23e-10b96e40000d', 'DE'],
  ['jane@', '12', null, 'token c8fdbd0a1e6c1b1e6f1a2c8b2e0f4d1f0d1c2b3a4e5f6071', 'FR'],
  ['bob@@example..com', '1234567890123456', null, 'Gold plan', 'FR'],
  [sha256('paul@example.com'), 'call me', null, '', 'DE'],
  ['', '+44 20 7946 0958', null, 'order 19.99', 'DE'],
];

describe(`segment key quality, refresh state and preview masking (${database})`, () => {
  let api: ApiHarness;
  let acme: SeededCompany;
  let collaborationId: string;
  let dataSourceId: string;

  beforeAll(async () => {
    api = await bootApi();
    acme = await api.seedCompany('Acme');
    collaborationId = (
      await api.http.post('/collaborations').set(bearer(acme.apiKey)).send({ name: 'Acme only' }).expect(201)
    ).body.id;
    const folder = companySqliteFolder(api.db.env['CONDUIT_DATA_DIR'], acme.companyId);
    mkdirSync(folder, { recursive: true });
    const db = new Database(join(folder, 'quality.sqlite'), {});
    db.exec('CREATE TABLE customers (email TEXT, phone TEXT, backup_phone TEXT, note TEXT, country TEXT)');
    const insert = db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?, ?)');
    for (const row of CUSTOMERS) insert.run(...row);
    db.close();
    dataSourceId = (
      await api.http
        .post('/data-sources')
        .set(bearer(acme.apiKey))
        .send({ name: 'Quality CRM', kind: 'SQLITE', path: 'quality.sqlite' })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await api?.close();
  });

  const base = () => `/collaborations/${collaborationId}/segments`;
  const get = (path: string) => api.http.get(path).set(bearer(acme.apiKey));
  const settle = () => api.app.get(JobRunner).idle();

  async function sqlSegment(name: string, keyColumns: object[], query = 'SELECT * FROM customers') {
    const created = await api.http
      .post(base())
      .set(bearer(acme.apiKey))
      .send({ name, source: { type: 'sql', dataSourceId, query }, keyColumns })
      .expect(201);
    expect(created.body).toMatchObject({
      status: 'PENDING',
      keyQuality: null,
      refresh: { status: 'PENDING' },
    });
    await settle();
    return created.body.id as string;
  }

  it('counts each key column as an export will judge it, on GET and in the list, with no raw value', async () => {
    const id = await sqlSegment('Quality', [
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
    ]);
    const segment = (await get(`${base()}/${id}`).expect(200)).body;
    expect(segment).toMatchObject({ status: 'READY', rowCount: 7, refresh: null });
    expect(segment.keyQuality).toEqual([
      {
        column: 'email',
        keyType: 'EMAIL',
        encoding: 'RAW',
        valid: 3,
        invalid: 4,
        invalidByReason: { MALFORMED: 2, LOOKS_HASHED: 1, EMPTY: 1 },
        invalidExamples: {
          MALFORMED: ['j•••@', 'b••@@e••••••..c••'],
          LOOKS_HASHED: [expect.stringMatching(/^[0-9a-f]•{39}…$/)],
        },
      },
      {
        column: 'phone',
        keyType: 'PHONE',
        encoding: 'RAW',
        valid: 3,
        invalid: 4,
        invalidByReason: { EMPTY: 1, MALFORMED: 2, TOO_LONG: 1 },
        invalidExamples: { MALFORMED: ['1•', 'c••• m•'], TOO_LONG: ['1•••••••••••••••'] },
      },
    ]);
    const listed = (await get(base()).expect(200)).body.data;
    expect(listed.find((entry: { id: string }) => entry.id === id).keyQuality).toEqual(segment.keyQuality);
    const shown = JSON.stringify(segment.keyQuality);
    for (const [email, phone] of CUSTOMERS) {
      if (email && email.length > 4) expect(shown).not.toContain(email);
      if (phone && phone.length > 4) expect(shown).not.toContain(phone);
    }
  });

  it('counts a flattened multi-value cell per value, and a SHA256 column by its digests', async () => {
    const created = await api.http
      .post(base())
      .set(bearer(acme.apiKey))
      .send({
        name: 'Aliases',
        source: { type: 'upload' },
        keyColumns: [
          { column: 'emails', keyType: 'EMAIL', encoding: 'RAW' },
          { column: 'hashed', keyType: 'EMAIL', encoding: 'SHA256' },
        ],
        flatten: true,
        multiValueDelimiter: '|',
      })
      .expect(201);
    const csv = `emails,hashed\n"a@example.com|b@|c@example.com",${sha256('a')}\nd@example.com,not-a-digest\n`;
    await api.http
      .put(`${base()}/${created.body.id}/upload`)
      .set(bearer(acme.apiKey))
      .attach('file', Buffer.from(csv), 'aliases.csv')
      .expect(202);
    await settle();
    const segment = (await get(`${base()}/${created.body.id}`).expect(200)).body;
    expect(segment).toMatchObject({ status: 'READY', rowCount: 4 });
    expect(segment.keyQuality).toEqual([
      expect.objectContaining({ column: 'emails', valid: 3, invalid: 1, invalidByReason: { MALFORMED: 1 } }),
      // The digest is in each of the three rows its cell became.
      expect.objectContaining({
        column: 'hashed',
        encoding: 'SHA256',
        valid: 3,
        invalid: 1,
        invalidByReason: { NOT_HASHED: 1 },
      }),
    ]);
  });

  it('masks identifier-like values of columns that are not keys in the preview; the rest reads as is', async () => {
    const id = await sqlSegment('Preview', [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }]);
    const rows = (await get(`${base()}/${id}/rows?limit=7`).expect(200)).body.rows as Record<
      string,
      string | null
    >[];
    const masked = (value: string) => `${'*'.repeat(value.length - 4)}${value.slice(-4)}`;
    expect(rows[0]).toEqual({
      email: masked('jane@example.com'),
      phone: masked('+33 6 12 34 56 78'),
      backup_phone: masked('+33612345679'),
      note: 'VIP since 2026-11-25',
      country: 'FR',
    });
    expect(rows.map((row) => row['note'])).toEqual([
      'VIP since 2026-11-25',
      masked('wrote from john.doe@work.example'),
      masked('device 38400000-8cf0-11bd-b23e-10b96e40000d'),
      masked('token c8fdbd0a1e6c1b1e6f1a2c8b2e0f4d1f0d1c2b3a4e5f6071'),
      'Gold plan',
      '',
      'order 19.99',
    ]);
    expect(rows[1]?.['backup_phone']).toBe(masked('(415) 555-2672'));
    expect(rows[4]?.['phone']).toBe(masked('1234567890123456'));
    expect(rows[6]?.['phone']).toBe(masked('+44 20 7946 0958'));
  });

  describe('contract', () => {
    it('documents flatten as optional with its default, and the upload file as binary', () => {
      const document = buildOpenApiDocument(api.app);
      const schemas = schemasOf(document);
      expect(schemas['CreateSegmentDto']?.required).not.toContain('flatten');
      expect(schemas['CreateSegmentDto']?.properties['flatten']).toMatchObject({
        type: 'boolean',
        default: false,
      });
      const upload = document.paths['/collaborations/{collaborationId}/segments/{segmentId}/upload']?.put;
      expect(upload?.requestBody).toMatchObject({
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              properties: { file: { type: 'string', format: 'binary' } },
            },
          },
        },
      });
    });

    it('describes keyQuality and refresh: real answers and every example validate against the schema', async () => {
      const document = buildOpenApiDocument(api.app);
      const ajv = new Ajv({ strict: false, allErrors: true });
      ajv.addSchema(document as object, 'openapi');
      const validator = (name: string) => ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
      const schemas = schemasOf(document);
      const segmentSchema = schemas['SegmentDto'];
      expect(segmentSchema?.required).toEqual(expect.arrayContaining(['keyQuality', 'refresh']));
      for (const name of ['SegmentKeyQualityDto', 'SegmentRefreshDto']) {
        const schema = schemas[name];
        const example: Record<string, unknown> = {};
        for (const [property, definition] of Object.entries(schema?.properties ?? {})) {
          expect({ property, description: definition.description ?? definition.enum }).toEqual({
            property,
            description: expect.anything(),
          });
          example[property] = definition.example;
          const checkProperty = validator(`${name}/properties/${property}`);
          expect({
            property,
            valid: checkProperty(definition.example),
            errors: checkProperty.errors,
          }).toEqual({
            property,
            valid: true,
            errors: null,
          });
        }
        const check = validator(name);
        expect({ name, valid: check(example), errors: check.errors }).toEqual({
          name,
          valid: true,
          errors: null,
        });
      }
      // Each answer's key quality and refresh as documented (whole answers are the harness's to check).
      const id = await sqlSegment('Contract', [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }]);
      const ready = (await get(`${base()}/${id}`).expect(200)).body;
      const refreshing = (await api.http.post(`${base()}/${id}/refresh`).set(bearer(acme.apiKey)).expect(202))
        .body;
      await settle();
      expect(refreshing).toMatchObject({ status: 'READY', refresh: { status: 'PENDING' } });
      const checkQuality = validator('SegmentKeyQualityDto');
      const checkRefresh = validator('SegmentRefreshDto');
      for (const quality of ready.keyQuality)
        expect({ valid: checkQuality(quality), errors: checkQuality.errors }).toEqual({
          valid: true,
          errors: null,
        });
      expect({ valid: checkRefresh(refreshing.refresh), errors: checkRefresh.errors }).toEqual({
        valid: true,
        errors: null,
      });
      expect(ready.refresh).toBeNull();
      // OpenAPI 3.0's `nullable`, or 3.1's `null` type (in `type`, or an alternative beside a `$ref`).
      const nullable = (definition: SchemaObject | undefined) => {
        const { type, anyOf = [], oneOf = [] } = (definition ?? {}) as { type?: unknown } & SchemaObject;
        return (
          definition?.nullable === true ||
          (Array.isArray(type) && type.includes('null')) ||
          [...anyOf, ...oneOf].some((alternative) => (alternative as { type?: unknown }).type === 'null')
        );
      };
      expect(nullable(segmentSchema?.properties['refresh'])).toBe(true);
      expect(nullable(segmentSchema?.properties['keyQuality'])).toBe(true);
    });
  });
});
