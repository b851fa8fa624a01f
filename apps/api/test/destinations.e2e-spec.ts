import type { SeededCompany } from '@conduit/domain/testing';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import { actingAs, bearer, bootApi, type ApiHarness } from './api-harness';
import { ADVERTISERS, connectTikTok, startEmulator, tiktokEnv } from './tiktok-world';

const [ADVERTISER, OTHER_ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const VALID = {
  advertiserId: ADVERTISER,
  audienceName: 'Spring sale buyers',
  action: 'Create',
  retentionInDays: 180,
};

describe(`destinations (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let acme: SeededCompany;
  let globex: SeededCompany;
  let initech: SeededCompany;
  let acmeAuthorization: string;
  let globexAuthorization: string;
  let collaborationId: string;

  beforeAll(async () => {
    tiktok = await startEmulator();
    api = await bootApi({ env: tiktokEnv(tiktok) });
    [acme, globex, initech] = [
      await api.seedCompany('Acme'),
      await api.seedCompany('Globex'),
      await api.seedCompany('Initech'),
    ];
    acmeAuthorization = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
    globexAuthorization = await connectTikTok(api, tiktok, globex, 'Globex TikTok');
    const collaboration = await api.http
      .post('/collaborations')
      .set(bearer(acme.apiKey))
      .send({ name: 'Acme x Globex', memberCompanyIds: [globex.companyId] })
      .expect(201);
    collaborationId = collaboration.body.id;
  });

  afterAll(async () => {
    await api?.close();
    await tiktok?.close();
  });

  const as = (company: SeededCompany) => actingAs(api, company);

  async function createDestination(body: Record<string, unknown> = {}) {
    const response = await as(acme)
      .post('/destinations', {
        name: 'TikTok spring',
        provider: 'tiktok',
        authorizationId: acmeAuthorization,
        config: VALID,
        editableFields: ['audienceName', 'action'],
        ...body,
      })
      .expect(201);
    return response.body;
  }

  describe('providers', () => {
    it('lists TikTok with its field schema', async () => {
      const response = await as(acme).get('/providers').expect(200);
      // Every provider this build ships, by id (others unavailable here: their variables are unset).
      const ids = response.body.map((listed: { id: string }) => listed.id);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toContain('tiktok');
      const provider = response.body.find((listed: { id: string }) => listed.id === 'tiktok');
      expect(provider).toMatchObject({ id: 'tiktok', displayName: 'TikTok Ads', available: true });
      expect(provider.fields.map((field: { key: string }) => field.key)).toEqual([
        'advertiserId',
        'audienceName',
        'action',
        'retentionInDays',
        'phoneHashFormat',
      ]);
      expect(provider.fields[1]).toMatchObject({
        label: 'Audience Name',
        required: true,
        editable: true,
        rules: { minLength: 10, maxLength: 70, pattern: { regex: '^[A-Za-z0-9 _-]+$' } },
      });
      expect((await as(acme).get('/providers/tiktok').expect(200)).body).toEqual(provider);
      expect((await as(acme).get('/providers/myspace').expect(404)).body.code).toBe('PROVIDER_NOT_FOUND');
    });

    it("documents each provider's fields in the OpenAPI document", async () => {
      const document = (await api.http.get('/docs/openapi.json').expect(200)).body;
      const tiktok = document.components.schemas.TiktokDestinationConfig;
      expect(tiktok.properties.audienceName).toMatchObject({
        minLength: 10,
        maxLength: 70,
        'x-editable': true,
      });
      expect(tiktok.properties.action.enum).toEqual(['Create', 'Append', 'Replace']);
      expect(tiktok.properties.retentionInDays).toMatchObject({ type: 'integer', minimum: 1, maximum: 365 });
      // The body's config is TikTok's schema (with several providers, one of those it may be); a patch
      // may clear fields; overrides are editable fields only.
      const bodies = document.components.schemas;
      const variants = (schema: { $ref?: string; anyOf?: { $ref: string }[] }) =>
        schema.anyOf ? schema.anyOf.map((variant) => variant.$ref) : [schema.$ref];
      expect(variants(bodies.CreateDestinationDto.properties.config)).toContain(
        '#/components/schemas/TiktokDestinationConfig',
      );
      expect(variants(bodies.UpdateDestinationDto.properties.config)).toContain(
        '#/components/schemas/TiktokDestinationConfigPatch',
      );
      expect(bodies.TiktokDestinationConfigPatch.required).toBeUndefined();
      expect(bodies.TiktokDestinationConfigPatch.properties.retentionInDays.type).toEqual([
        'integer',
        'null',
      ]);
      for (const dto of ['ResolveConfigDto', 'CreateExportDto']) {
        expect(variants(bodies[dto].properties.overrides)).toContain(
          '#/components/schemas/TiktokExportOverrides',
        );
      }
      expect(Object.keys(bodies.TiktokExportOverrides.properties).sort()).toEqual(
        Object.keys(tiktok.properties)
          .filter((key) => tiktok.properties[key]['x-editable'])
          .sort(),
      );
    });
  });

  describe('create and validate', () => {
    it('creates a destination and shows its fields to the owner', async () => {
      const destination = await createDestination({ visibleFields: ['advertiserId'] });
      expect(destination).toMatchObject({
        id: expect.stringMatching(/^dst_/),
        name: 'TikTok spring',
        provider: 'tiktok',
        role: 'OWNER',
        ownerCompanyId: acme.companyId,
        authorizationId: acmeAuthorization,
        config: VALID,
        editableFields: ['audienceName', 'action'],
        visibleFields: ['advertiserId'],
        sharedIn: [],
      });
      const fields = Object.fromEntries(
        destination.fields.map((field: { key: string }) => [field.key, field]),
      );
      expect(fields['audienceName']).toMatchObject({
        editableAtExport: true,
        hidden: false,
        value: 'Spring sale buyers',
      });
      expect(fields['advertiserId']).toMatchObject({ editableAtExport: false, value: ADVERTISER });
      expect(fields['phoneHashFormat']).toMatchObject({ value: null, default: 'E164_WITH_PLUS' });
      expect((await as(acme).get(`/destinations/${destination.id}`).expect(200)).body).toEqual(destination);
    });

    it.each([
      ['an advertiser id that is not numeric', { advertiserId: 'adv-123' }, 'config.advertiserId', 'pattern'],
      [
        'an advertiser the authorization does not grant',
        { advertiserId: '7299999999999999999' },
        'config.advertiserId',
        'externalAccount',
      ],
      [
        'an audience name under 10 characters',
        { audienceName: 'Too short' },
        'config.audienceName',
        'minLength',
      ],
      [
        'an audience name over 70 characters',
        { audienceName: 'x'.repeat(71) },
        'config.audienceName',
        'maxLength',
      ],
      [
        'an audience name with other characters',
        { audienceName: 'Spring sale: buyers!' },
        'config.audienceName',
        'pattern',
      ],
      ['an action other than Create / Append / Replace', { action: 'Delete' }, 'config.action', 'enum'],
      ['a retention under 1 day', { retentionInDays: 0 }, 'config.retentionInDays', 'min'],
      ['a retention over 365 days', { retentionInDays: 366 }, 'config.retentionInDays', 'max'],
      ['a retention that is not an integer', { retentionInDays: 'a year' }, 'config.retentionInDays', 'type'],
      ['an unknown field', { budget: 100 }, 'config.budget', 'unknownField'],
      ['a missing locked required field', { advertiserId: null }, 'config.advertiserId', 'required'],
    ])('refuses %s, naming the field and the rule', async (_label, change, field, rule) => {
      const config = Object.fromEntries(
        Object.entries({ ...VALID, ...change }).filter(([, value]) => value !== null),
      );
      const response = await as(acme)
        .post('/destinations', {
          name: 'Invalid',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config,
        })
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.details).toEqual([expect.objectContaining({ field, rule })]);
      expect(response.body.message).toContain(field);
    });

    it('accepts a required field left empty when it is editable (given at export time)', async () => {
      const { audienceName: _omitted, ...config } = VALID;
      const destination = await createDestination({ config, editableFields: ['audienceName'] });
      expect(destination.config).toEqual(config);
      const locked = await as(acme)
        .post('/destinations', {
          name: 'Locked',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config,
        })
        .expect(400);
      expect(locked.body.details).toEqual([
        expect.objectContaining({
          field: 'config.audienceName',
          rule: 'required',
          message: expect.stringMatching(/mark it editable/),
        }),
      ]);
    });

    it('refuses to make editable a field the provider fixes per destination', async () => {
      const response = await as(acme)
        .post('/destinations', {
          name: 'x',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config: VALID,
          editableFields: ['advertiserId', 'nope'],
        })
        .expect(400);
      expect(response.body.details).toEqual([
        expect.objectContaining({ field: 'editableFields[0]', rule: 'editable' }),
        expect.objectContaining({ field: 'editableFields[1]', rule: 'unknownField' }),
      ]);
    });

    it("refuses another company's authorization as not found, and a body with unknown properties", async () => {
      const foreign = await as(acme)
        .post('/destinations', {
          name: 'x',
          provider: 'tiktok',
          authorizationId: globexAuthorization,
          config: VALID,
        })
        .expect(404);
      expect(foreign.body).toMatchObject({ code: 'AUTHORIZATION_NOT_FOUND' });
      const extra = await as(acme)
        .post('/destinations', {
          name: 'x',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          secret: 1,
        })
        .expect(400);
      expect(extra.body.details).toEqual([expect.objectContaining({ field: 'secret' })]);
      const wrongProvider = await as(acme)
        .post('/destinations', {
          name: 'x',
          provider: 'snapchat',
          authorizationId: acmeAuthorization,
          config: VALID,
        })
        .expect(400);
      expect(wrongProvider.body.details).toEqual([
        expect.objectContaining({ field: 'provider', rule: 'isIn' }),
      ]);
    });

    it('updates with the same validation and records who changed what', async () => {
      const destination = await createDestination();
      const invalid = await as(acme)
        .patch(`/destinations/${destination.id}`, { config: { audienceName: 'short' } })
        .expect(400);
      expect(invalid.body.details).toEqual([
        expect.objectContaining({ field: 'config.audienceName', rule: 'minLength' }),
      ]);
      const updated = await as(acme)
        .patch(`/destinations/${destination.id}`, {
          name: 'TikTok summer',
          config: {
            audienceName: 'Summer sale buyers',
            retentionInDays: null,
            advertiserId: OTHER_ADVERTISER,
          },
        })
        .expect(200);
      expect(updated.body.config).toEqual({
        advertiserId: OTHER_ADVERTISER,
        audienceName: 'Summer sale buyers',
        action: 'Create',
      });
      const history = await as(acme).get(`/destinations/${destination.id}/history`).expect(200);
      expect(history.body.data.map((event: { type: string }) => event.type)).toEqual(['CREATED', 'UPDATED']);
      expect(history.body.data[1]).toMatchObject({
        actorCompanyId: acme.companyId,
        actorApiKeyId: acme.apiKeyId,
        changes: {
          name: { from: 'TikTok spring', to: 'TikTok summer' },
          'config.audienceName': { from: 'Spring sale buyers', to: 'Summer sale buyers' },
          'config.retentionInDays': { from: 180, to: null },
          'config.advertiserId': { from: ADVERTISER, to: OTHER_ADVERTISER },
        },
      });
    });
  });

  describe('overrides at export time', () => {
    it('rejects an override of a locked field, naming it', async () => {
      const destination = await createDestination();
      const response = await as(acme)
        .post(`/destinations/${destination.id}/resolve`, { overrides: { advertiserId: OTHER_ADVERTISER } })
        .expect(400);
      expect(response.body.details).toEqual([
        expect.objectContaining({
          field: 'overrides.advertiserId',
          rule: 'locked',
          message: expect.stringMatching(/Advertiser ID is locked/),
        }),
      ]);
    });

    it('validates an editable override with the same schema and resolves defaults', async () => {
      const destination = await createDestination();
      const invalid = await as(acme)
        .post(`/destinations/${destination.id}/resolve`, {
          overrides: { audienceName: 'a!', action: 'Merge' },
        })
        .expect(400);
      expect(invalid.body.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'overrides.audienceName', rule: 'minLength' }),
          expect.objectContaining({ field: 'overrides.audienceName', rule: 'pattern' }),
          expect.objectContaining({ field: 'overrides.action', rule: 'enum' }),
        ]),
      );
      const resolved = await as(acme)
        .post(`/destinations/${destination.id}/resolve`, {
          overrides: { audienceName: 'Partner spring buyers', action: 'Append' },
        })
        .expect(200);
      expect(resolved.body).toEqual({
        destinationId: destination.id,
        config: {
          ...VALID,
          audienceName: 'Partner spring buyers',
          action: 'Append',
          phoneHashFormat: 'E164_WITH_PLUS',
        },
        hiddenFields: [],
      });
    });

    it('requires an editable field left empty to be given at export', async () => {
      const { audienceName: _omitted, ...config } = VALID;
      const destination = await createDestination({ config, editableFields: ['audienceName'] });
      const missing = await as(acme).post(`/destinations/${destination.id}/resolve`, {}).expect(400);
      expect(missing.body.details).toEqual([
        expect.objectContaining({ field: 'config.audienceName', rule: 'required' }),
      ]);
    });
  });

  describe('sharing', () => {
    it('shares with a member, who sees editable fields and visible locked values only, and no credentials', async () => {
      const destination = await createDestination({
        visibleFields: ['action'],
        editableFields: ['audienceName'],
      });
      const share = await as(acme)
        .post(`/destinations/${destination.id}/shares`, { collaborationId, companyId: globex.companyId })
        .expect(201);
      expect(share.body).toMatchObject({ status: 'ACTIVE', companyId: globex.companyId, collaborationId });

      const seen = await as(globex).get(`/destinations/${destination.id}`).expect(200);
      expect(seen.body).toMatchObject({
        role: 'GRANTEE',
        authorizationId: null,
        config: { audienceName: 'Spring sale buyers', action: 'Create' },
        editableFields: ['audienceName'],
        visibleFields: ['action'],
        sharedIn: [collaborationId],
      });
      // The field schema's example happens to be an advertiser id: look at values, not the schema.
      expect(JSON.stringify(seen.body.config)).not.toContain(ADVERTISER);
      const text = JSON.stringify(seen.body);
      expect(text).not.toContain(acmeAuthorization);
      expect(text).not.toMatch(/accessToken|secret/i);
      const advertiserField = seen.body.fields.find((field: { key: string }) => field.key === 'advertiserId');
      expect(advertiserField).toMatchObject({ hidden: true, value: null });

      const resolved = await as(globex)
        .post(`/destinations/${destination.id}/resolve`, {
          overrides: { audienceName: 'Globex spring buyers' },
          collaborationId,
        })
        .expect(200);
      // Locked fields the owner did not make visible stay hidden, even their defaults.
      expect(resolved.body.config).toEqual({ audienceName: 'Globex spring buyers', action: 'Create' });
      expect(resolved.body.hiddenFields).toEqual(['advertiserId', 'retentionInDays', 'phoneHashFormat']);
      expect(JSON.stringify(resolved.body)).not.toContain(ADVERTISER);
      const locked = await as(globex)
        .post(`/destinations/${destination.id}/resolve`, { overrides: { action: 'Replace' } })
        .expect(400);
      expect(locked.body.details).toEqual([
        expect.objectContaining({ field: 'overrides.action', rule: 'locked' }),
      ]);

      // The export pane of the collaboration lists it for both companies.
      for (const company of [acme, globex]) {
        const pane = await as(company)
          .get(`/collaborations/${collaborationId}/destinations?limit=200`)
          .expect(200);
        expect(pane.body.data.map((entry: { id: string }) => entry.id)).toContain(destination.id);
      }
      const filtered = await as(globex)
        .get(`/destinations?collaborationId=${collaborationId}&provider=tiktok&limit=200`)
        .expect(200);
      expect(filtered.body.data.map((entry: { id: string }) => entry.id)).toContain(destination.id);
      expect(
        filtered.body.data.every(
          (entry: { role: string; ownerCompanyId: string }) =>
            entry.role === 'OWNER' || entry.ownerCompanyId === acme.companyId,
        ),
      ).toBe(true);
    });

    it('lets a grantee neither update, delete, re-share, list shares nor read history (403)', async () => {
      const destination = await createDestination();
      await as(acme)
        .post(`/destinations/${destination.id}/shares`, { collaborationId, companyId: globex.companyId })
        .expect(201);
      const path = `/destinations/${destination.id}`;
      for (const response of [
        await as(globex).patch(path, { name: 'Mine' }),
        await as(globex).delete(path),
        await as(globex).post(`${path}/shares`, { collaborationId, companyId: acme.companyId }),
        await as(globex).get(`${path}/shares`),
        await as(globex).get(`${path}/history`),
      ]) {
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('DESTINATION_OWNER_ONLY');
      }
      expect((await as(acme).get(path).expect(200)).body.name).toBe('TikTok spring');
    });

    it('hides a destination from a company it is not shared with (404), and refuses a non-member grantee', async () => {
      const destination = await createDestination();
      const path = `/destinations/${destination.id}`;
      for (const response of [
        await as(initech).get(path),
        await as(initech).patch(path, { name: 'x' }),
        await as(initech).delete(path),
        await as(initech).post(`${path}/resolve`, {}),
        await as(globex).get(path),
      ]) {
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('DESTINATION_NOT_FOUND');
      }
      const refused = await as(acme)
        .post(`${path}/shares`, { collaborationId, companyId: initech.companyId })
        .expect(422);
      expect(refused.body).toMatchObject({ code: 'SHARE_GRANTEE_NOT_MEMBER' });
      expect(refused.body.details).toEqual([expect.objectContaining({ field: 'companyId', rule: 'member' })]);
      const foreignCollaboration = await as(initech)
        .post('/collaborations', { name: 'Initech only' })
        .expect(201);
      const notMine = await as(acme)
        .post(`${path}/shares`, {
          collaborationId: foreignCollaboration.body.id,
          companyId: initech.companyId,
        })
        .expect(404);
      expect(notMine.body.code).toBe('COLLABORATION_NOT_FOUND');
      await as(initech).get(`/collaborations/${collaborationId}/destinations`).expect(404);
    });

    it('lets a grantee resolve only through the collaboration it was shared in', async () => {
      const destination = await createDestination();
      const path = `/destinations/${destination.id}`;
      const other = await as(acme)
        .post('/collaborations', { name: 'Acme x Globex, second deal', memberCompanyIds: [globex.companyId] })
        .expect(201);
      await as(acme).post(`${path}/shares`, { collaborationId, companyId: globex.companyId }).expect(201);
      await as(globex).post(`${path}/resolve`, { collaborationId }).expect(200);
      const elsewhere = await as(globex)
        .post(`${path}/resolve`, { collaborationId: other.body.id })
        .expect(404);
      expect(elsewhere.body.code).toBe('DESTINATION_NOT_FOUND');
    });

    it('takes the shares away from a member removed from the collaboration (404 everywhere)', async () => {
      const destination = await createDestination();
      const path = `/destinations/${destination.id}`;
      const deal = await as(acme)
        .post('/collaborations', { name: 'Short-lived deal', memberCompanyIds: [globex.companyId] })
        .expect(201);
      await as(acme)
        .post(`${path}/shares`, { collaborationId: deal.body.id, companyId: globex.companyId })
        .expect(201);
      await as(globex).get(path).expect(200);
      await as(globex).post(`${path}/resolve`, { collaborationId: deal.body.id }).expect(200);
      await as(acme).delete(`/collaborations/${deal.body.id}/members/${globex.companyId}`).expect(204);
      for (const response of [
        await as(globex).get(path),
        await as(globex).post(`${path}/resolve`, { collaborationId: deal.body.id }),
        await as(globex).post(`${path}/resolve`, {}),
      ]) {
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('DESTINATION_NOT_FOUND');
      }
      const listed = await as(globex).get('/destinations').expect(200);
      expect(listed.body.data.map((entry: { id: string }) => entry.id)).not.toContain(destination.id);
    });

    it('lists and revokes shares: revocation stops the grantee at once; a duplicate share is refused', async () => {
      const destination = await createDestination();
      const path = `/destinations/${destination.id}`;
      const share = await as(acme)
        .post(`${path}/shares`, { collaborationId, companyId: globex.companyId })
        .expect(201);
      const duplicate = await as(acme)
        .post(`${path}/shares`, { collaborationId, companyId: globex.companyId })
        .expect(409);
      expect(duplicate.body.code).toBe('DESTINATION_SHARE_EXISTS');
      await as(globex).post(`${path}/resolve`, {}).expect(200);

      const revoked = await as(acme).delete(`${path}/shares/${share.body.id}`).expect(200);
      expect(revoked.body).toMatchObject({ status: 'REVOKED', revokedAt: expect.any(String) });
      await as(globex).post(`${path}/resolve`, {}).expect(404);
      await as(globex).get(path).expect(404);
      const shares = await as(acme).get(`${path}/shares`).expect(200);
      expect(shares.body.data).toEqual([expect.objectContaining({ id: share.body.id, status: 'REVOKED' })]);
      await as(acme).delete(`${path}/shares/shr_01M00000000000000000000000`).expect(404);
      const history = await as(acme).get(`${path}/history`).expect(200);
      expect(history.body.data.map((event: { type: string }) => event.type)).toEqual([
        'CREATED',
        'SHARED',
        'SHARE_REVOKED',
      ]);
      // Sharing again works after a revocation.
      await as(acme).post(`${path}/shares`, { collaborationId, companyId: globex.companyId }).expect(201);
    });
  });

  describe('deletion', () => {
    it('soft-deletes: gone from lists and for grantees, history still readable', async () => {
      const destination = await createDestination();
      const path = `/destinations/${destination.id}`;
      await as(acme).post(`${path}/shares`, { collaborationId, companyId: globex.companyId }).expect(201);
      await as(acme).delete(path).expect(200);
      await as(acme).get(path).expect(404);
      await as(globex).get(path).expect(404);
      const list = await as(acme).get('/destinations?limit=200').expect(200);
      expect(list.body.data.map((entry: { id: string }) => entry.id)).not.toContain(destination.id);
    });

    it('keeps an authorization in use unless forced; forced, its destinations lose it', async () => {
      const authorizationId = await connectTikTok(api, tiktok, acme, 'Acme TikTok (to delete)');
      const destination = await createDestination({ authorizationId });
      const refused = await as(acme).delete(`/authorizations/${authorizationId}`).expect(409);
      expect(refused.body.code).toBe('AUTHORIZATION_IN_USE');
      expect(refused.body.message).toContain(destination.id);
      const forced = await as(acme).delete(`/authorizations/${authorizationId}?force=true`).expect(200);
      expect(forced.body).toMatchObject({ deleted: true, detachedDestinations: [destination.id] });
      const after = await as(acme).get(`/destinations/${destination.id}`).expect(200);
      expect(after.body.authorizationId).toBeNull();
      const resolve = await as(acme).post(`/destinations/${destination.id}/resolve`, {}).expect(409);
      expect(resolve.body.code).toBe('DESTINATION_WITHOUT_AUTHORIZATION');
      const relinked = await as(acme)
        .patch(`/destinations/${destination.id}`, { authorizationId: acmeAuthorization })
        .expect(200);
      expect(relinked.body.authorizationId).toBe(acmeAuthorization);
      const history = await as(acme).get(`/destinations/${destination.id}/history`).expect(200);
      expect(history.body.data.map((event: { type: string }) => event.type)).toEqual([
        'CREATED',
        'AUTHORIZATION_REMOVED',
        'UPDATED',
      ]);
    });
  });
});
