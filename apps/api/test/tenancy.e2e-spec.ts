import type { SeededCompany } from '@conduit/domain/testing';
import { bearer, bootApi, type ApiHarness } from './api-harness';

describe(`tenancy API (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let api: ApiHarness;
  let acme: SeededCompany;
  let globex: SeededCompany;
  const secretsSeen: string[] = [];

  beforeAll(async () => {
    api = await bootApi();
    acme = await api.seedCompany('Acme');
    globex = await api.seedCompany('Globex');
    secretsSeen.push(acme.apiKey, globex.apiKey);
  });

  afterAll(async () => {
    await api.close();
  });

  describe('authentication', () => {
    it('refuses a request without a key, with a Bearer challenge', async () => {
      const response = await api.http.get('/companies/me').expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="conduit"');
      expect(response.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'UNAUTHENTICATED',
      });
      expect(response.body.message).toMatch(/Authorization: Bearer/);
      expect(response.body.requestId).toBe(response.headers['x-request-id']);
    });

    it('refuses an unknown key and a malformed header', async () => {
      const unknown = await api.http
        .get('/companies/me')
        .set(bearer(`cdt_${'A'.repeat(43)}`))
        .expect(401);
      expect(unknown.body.code).toBe('UNAUTHENTICATED');
      const malformed = await api.http
        .get('/companies/me')
        .set('Authorization', `Basic ${acme.apiKey}`)
        .expect(401);
      expect(malformed.body.message).toMatch(/Bearer <api key>/);
      await api.http.get('/companies/me').set(bearer('not-a-key')).expect(401);
    });

    it('lets a valid key in and shows its own company', async () => {
      const response = await api.http.get('/companies/me').set(bearer(acme.apiKey)).expect(200);
      expect(response.body).toEqual({ id: acme.companyId, name: 'Acme', createdAt: expect.any(String) });
      expect(acme.companyId).toMatch(/^cmp_[0-9A-Z]{26}$/);
    });

    it('keeps health and docs public', async () => {
      const health = await api.http.get('/health').expect(200);
      expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      await api.http.get('/docs/openapi.json').expect(200);
      await api.http.get('/docs/').expect(200);
    });

    it('echoes a caller-supplied request id', async () => {
      const response = await api.http
        .get('/companies/me')
        .set('X-Request-Id', 'trace-123')
        .set(bearer(acme.apiKey))
        .expect(200);
      expect(response.headers['x-request-id']).toBe('trace-123');
    });
  });

  describe('companies', () => {
    it('renames my company and validates the name', async () => {
      const company = await api.seedCompany('Initech');
      const renamed = await api.http
        .patch('/companies/me')
        .set(bearer(company.apiKey))
        .send({ name: '  Initech Ltd  ' })
        .expect(200);
      expect(renamed.body.name).toBe('Initech Ltd');
      const invalid = await api.http
        .patch('/companies/me')
        .set(bearer(company.apiKey))
        .send({ name: 'x'.repeat(129) })
        .expect(400);
      expect(invalid.body.details).toEqual([
        { field: 'name', rule: 'maxLength', message: 'must be shorter than or equal to 128 characters' },
      ]);
    });
  });

  describe('API keys', () => {
    it('shows a new key once, lists it without its secret, and the key works', async () => {
      const created = await api.http
        .post('/api-keys')
        .set(bearer(acme.apiKey))
        .send({ name: 'Airflow' })
        .expect(201);
      secretsSeen.push(created.body.secret);
      expect(created.body).toMatchObject({
        name: 'Airflow',
        status: 'ACTIVE',
        revokedAt: null,
        lastUsedAt: null,
      });
      expect(created.body.id).toMatch(/^key_/);
      expect(created.body.secret).toMatch(/^cdt_[A-Za-z0-9_-]{43}$/);
      expect(created.body.secret.startsWith(created.body.prefix)).toBe(true);

      const fetched = await api.http.get(`/api-keys/${created.body.id}`).set(bearer(acme.apiKey)).expect(200);
      expect(fetched.body.secret).toBeUndefined();
      expect(JSON.stringify(fetched.body)).not.toContain(created.body.secret);

      await api.http.get('/companies/me').set(bearer(created.body.secret)).expect(200);
      const afterUse = await api.http
        .get(`/api-keys/${created.body.id}`)
        .set(bearer(acme.apiKey))
        .expect(200);
      expect(afterUse.body.lastUsedAt).not.toBeNull();
    });

    it('stops accepting a revoked key at once', async () => {
      const created = await api.http
        .post('/api-keys')
        .set(bearer(acme.apiKey))
        .send({ name: 'temporary' })
        .expect(201);
      secretsSeen.push(created.body.secret);
      await api.http.get('/companies/me').set(bearer(created.body.secret)).expect(200);

      const revoked = await api.http
        .post(`/api-keys/${created.body.id}/revoke`)
        .set(bearer(acme.apiKey))
        .expect(200);
      expect(revoked.body).toMatchObject({ status: 'REVOKED', revokedAt: expect.any(String) });

      const refused = await api.http.get('/companies/me').set(bearer(created.body.secret)).expect(401);
      expect(refused.body.message).toMatch(/revoked/);
      const again = await api.http
        .post(`/api-keys/${created.body.id}/revoke`)
        .set(bearer(acme.apiKey))
        .expect(409);
      expect(again.body.code).toBe('API_KEY_ALREADY_REVOKED');
    });

    it('refuses to revoke the last active key', async () => {
      const loner = await api.seedCompany('Loner');
      const response = await api.http
        .post(`/api-keys/${loner.apiKeyId}/revoke`)
        .set(bearer(loner.apiKey))
        .expect(409);
      expect(response.body.code).toBe('API_KEY_LAST_ACTIVE');
      await api.http.get('/companies/me').set(bearer(loner.apiKey)).expect(200);
    });

    it("never shows or changes another company's keys (404)", async () => {
      const read = await api.http.get(`/api-keys/${acme.apiKeyId}`).set(bearer(globex.apiKey)).expect(404);
      expect(read.body.code).toBe('API_KEY_NOT_FOUND');
      const revoke = await api.http
        .post(`/api-keys/${acme.apiKeyId}/revoke`)
        .set(bearer(globex.apiKey))
        .expect(404);
      expect(revoke.body.code).toBe('API_KEY_NOT_FOUND');
      const list = await api.http.get('/api-keys').set(bearer(globex.apiKey)).expect(200);
      expect(list.body.data.map((key: { id: string }) => key.id)).toEqual([globex.apiKeyId]);
      await api.http.get('/companies/me').set(bearer(acme.apiKey)).expect(200);
    });

    it('pages through keys with limit and cursor', async () => {
      const company = await api.seedCompany('Pager');
      for (const name of ['two', 'three', 'four']) {
        const created = await api.http
          .post('/api-keys')
          .set(bearer(company.apiKey))
          .send({ name })
          .expect(201);
        secretsSeen.push(created.body.secret);
      }
      const first = await api.http.get('/api-keys?limit=3').set(bearer(company.apiKey)).expect(200);
      expect(first.body.data.map((key: { name: string }) => key.name)).toEqual(['test key', 'two', 'three']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api.http
        .get(`/api-keys?limit=3&cursor=${first.body.nextCursor}`)
        .set(bearer(company.apiKey))
        .expect(200);
      expect(second.body).toEqual({ data: [expect.objectContaining({ name: 'four' })], nextCursor: null });
    });
  });

  describe('validation', () => {
    it('names the missing field', async () => {
      const response = await api.http.post('/api-keys').set(bearer(acme.apiKey)).send({}).expect(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
      });
      expect(response.body.details).toEqual([{ field: 'name', rule: 'required', message: 'is required' }]);
      expect(response.body.message).toBe('The request is invalid: name is required.');
    });

    it('refuses a body that is not JSON with 415, naming the type it reads', async () => {
      const response = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('name=Acme')
        .expect(415);
      expect(response.body).toMatchObject({
        statusCode: 415,
        error: 'Unsupported Media Type',
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message:
          'This operation reads application/json bodies; the request sent "application/x-www-form-urlencoded".',
        details: [{ field: 'Content-Type', rule: 'mediaType', message: 'must be application/json' }],
      });
      // Bodiless writes need no Content-Type; a JSON type with parameters is JSON.
      await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ name: 'Charset' }))
        .expect(201);
    });

    it('reports a value of the wrong type by its type alone, not by the rules it cannot be checked against', async () => {
      const response = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 123 })
        .expect(400);
      expect(response.body.details).toEqual([
        { field: 'name', rule: 'isString', message: 'must be a string' },
      ]);
    });

    it('refuses unknown fields by name', async () => {
      const response = await api.http
        .post('/api-keys')
        .set(bearer(acme.apiKey))
        .send({ name: 'ok', scope: 'admin' })
        .expect(400);
      expect(response.body.details).toEqual([
        { field: 'scope', rule: 'unknownField', message: expect.stringMatching(/not a known field/) },
      ]);
    });

    it('checks list parameters', async () => {
      const limit = await api.http.get('/api-keys?limit=500').set(bearer(acme.apiKey)).expect(400);
      expect(limit.body.details).toEqual([expect.objectContaining({ field: 'limit', rule: 'max' })]);
      const cursor = await api.http.get('/api-keys?cursor=garbage').set(bearer(acme.apiKey)).expect(400);
      expect(cursor.body).toMatchObject({
        code: 'INVALID_CURSOR',
        details: [expect.objectContaining({ field: 'cursor' })],
      });
    });

    it('names nested array fields', async () => {
      const response = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'x', memberCompanyIds: ['nope'] })
        .expect(400);
      expect(response.body.details).toEqual([
        expect.objectContaining({ field: 'memberCompanyIds', rule: 'matches' }),
      ]);
    });

    it('answers malformed JSON and unknown routes in the same error shape', async () => {
      const malformed = await api.http
        .post('/api-keys')
        .set(bearer(acme.apiKey))
        .set('Content-Type', 'application/json')
        .send('{"name": ')
        .expect(400);
      expect(malformed.body).toMatchObject({ code: 'MALFORMED_JSON', requestId: expect.any(String) });
      expect(malformed.body.requestId).not.toBe('');
      const missing = await api.http.get('/no-such-thing').set(bearer(acme.apiKey)).expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' });
    });

    it('answers 405 METHOD_NOT_ALLOWED with Allow for a method a known path does not offer', async () => {
      const me = await api.http.delete('/companies/me').set(bearer(acme.apiKey)).expect(405);
      expect(me.headers['allow']).toBe('GET, HEAD, PATCH');
      expect(me.body).toMatchObject({
        statusCode: 405,
        error: 'Method Not Allowed',
        code: 'METHOD_NOT_ALLOWED',
        message: 'DELETE is not allowed on /companies/me; it answers GET, HEAD, PATCH.',
        requestId: expect.any(String),
      });
      const options = await api.http.options('/collaborations').expect(405);
      expect(options.headers['allow']).toBe('GET, HEAD, POST');
      expect(options.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
      // A path with parameters, without an API key: routing comes before authentication.
      const revoke = await api.http.get('/api-keys/key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z/revoke').expect(405);
      expect(revoke.headers['allow']).toBe('POST');
      await api.http.head('/api-keys/key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z/revoke').expect(405);
      // An unknown path stays a 404, whatever the method.
      const unknown = await api.http.delete('/companies/me/nowhere').set(bearer(acme.apiKey)).expect(404);
      expect(unknown.body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
      expect(unknown.headers['allow']).toBeUndefined();
    });
  });

  describe('collaborations', () => {
    it('lets an owner create one with partners, and members see it', async () => {
      const created = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'Acme x Globex', memberCompanyIds: [globex.companyId] })
        .expect(201);
      expect(created.body).toMatchObject({ name: 'Acme x Globex', ownerCompanyId: acme.companyId });
      expect(created.body.members).toEqual([
        expect.objectContaining({ companyId: acme.companyId, companyName: 'Acme', role: 'OWNER' }),
        expect.objectContaining({ companyId: globex.companyId, companyName: 'Globex', role: 'MEMBER' }),
      ]);
      const seenByGlobex = await api.http.get('/collaborations').set(bearer(globex.apiKey)).expect(200);
      expect(seenByGlobex.body.data.map((c: { id: string }) => c.id)).toContain(created.body.id);
      const listed = seenByGlobex.body.data.find((c: { id: string }) => c.id === created.body.id);
      expect(listed.members).toHaveLength(2);
    });

    it('refuses an unknown partner company, naming it', async () => {
      const ghost = 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z';
      const response = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'x', memberCompanyIds: [ghost] })
        .expect(404);
      expect(response.body).toMatchObject({
        code: 'COMPANY_NOT_FOUND',
        details: [{ field: 'memberCompanyIds', rule: 'exists', message: `company ${ghost} does not exist` }],
      });
    });

    it('lets only the owner add members; outsiders get 404', async () => {
      const initech = await api.seedCompany('Initech');
      const outsider = await api.seedCompany('Outsider');
      const created = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'Retail', memberCompanyIds: [globex.companyId] })
        .expect(201);
      const id = created.body.id as string;

      const byMember = await api.http
        .post(`/collaborations/${id}/members`)
        .set(bearer(globex.apiKey))
        .send({ companyId: initech.companyId })
        .expect(403);
      expect(byMember.body.code).toBe('COLLABORATION_OWNER_ONLY');
      const byOutsider = await api.http
        .post(`/collaborations/${id}/members`)
        .set(bearer(outsider.apiKey))
        .send({ companyId: outsider.companyId })
        .expect(404);
      expect(byOutsider.body.code).toBe('COLLABORATION_NOT_FOUND');
      await api.http.get(`/collaborations/${id}`).set(bearer(outsider.apiKey)).expect(404);
      await api.http
        .delete(`/collaborations/${id}/members/${globex.companyId}`)
        .set(bearer(outsider.apiKey))
        .expect(404);

      const added = await api.http
        .post(`/collaborations/${id}/members`)
        .set(bearer(acme.apiKey))
        .send({ companyId: initech.companyId })
        .expect(201);
      expect(added.body.members.map((m: { companyId: string }) => m.companyId)).toEqual([
        acme.companyId,
        globex.companyId,
        initech.companyId,
      ]);
      const duplicate = await api.http
        .post(`/collaborations/${id}/members`)
        .set(bearer(acme.apiKey))
        .send({ companyId: initech.companyId })
        .expect(409);
      expect(duplicate.body.code).toBe('COLLABORATION_MEMBER_EXISTS');
      await api.http.get(`/collaborations/${id}`).set(bearer(initech.apiKey)).expect(200);
    });

    it('lets a member leave and the owner remove members, but not itself', async () => {
      const created = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'Short-lived', memberCompanyIds: [globex.companyId] })
        .expect(201);
      const id = created.body.id as string;
      const ownerLeaves = await api.http
        .delete(`/collaborations/${id}/members/${acme.companyId}`)
        .set(bearer(acme.apiKey))
        .expect(409);
      expect(ownerLeaves.body.code).toBe('COLLABORATION_OWNER_CANNOT_LEAVE');
      const memberRemovesOwner = await api.http
        .delete(`/collaborations/${id}/members/${acme.companyId}`)
        .set(bearer(globex.apiKey))
        .expect(403);
      expect(memberRemovesOwner.body.code).toBe('COLLABORATION_OWNER_ONLY');

      await api.http
        .delete(`/collaborations/${id}/members/${globex.companyId}`)
        .set(bearer(globex.apiKey))
        .expect(204);
      await api.http.get(`/collaborations/${id}`).set(bearer(globex.apiKey)).expect(404);
      const gone = await api.http
        .delete(`/collaborations/${id}/members/${globex.companyId}`)
        .set(bearer(acme.apiKey))
        .expect(404);
      expect(gone.body.code).toBe('COLLABORATION_MEMBER_NOT_FOUND');
    });
  });

  describe('secrets', () => {
    it('never writes an API key to the logs', () => {
      const logs = api.logs.join('');
      expect(logs.length).toBeGreaterThan(0);
      expect(logs).toContain('[redacted]');
      for (const secret of secretsSeen) {
        expect(logs).not.toContain(secret);
        expect(logs).not.toContain(secret.slice(20));
      }
    });
  });
});
