import { Authorization } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import { EntityManager } from '@mikro-orm/core';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import { actingAs, bootApi, type ApiHarness } from './api-harness';
import { ADVERTISERS, connectTikTok, startEmulator, tiktokEnv } from './tiktok-world';

// The words of every refusal and the record of every change, pinned whole: an exporter acts on the
// message, an auditor reads the history, and a rule that changes either must fail a test.

const [ADVERTISER, OTHER_ADVERTISER] = ADVERTISERS.map((advertiser) => advertiser.advertiserId);
const VALID = {
  advertiserId: ADVERTISER,
  audienceName: 'Spring sale buyers',
  action: 'Create',
  retentionInDays: 180,
};
const KNOWN = 'advertiserId, audienceName, action, retentionInDays, phoneHashFormat';
const UNKNOWN_SHARE = 'shr_01M00000000000000000000000';

describe(`destination rules, word for word (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let acme: SeededCompany;
  let globex: SeededCompany;
  let acmeAuthorization: string;
  let collaborationId: string;

  beforeAll(async () => {
    tiktok = await startEmulator();
    api = await bootApi({ env: tiktokEnv(tiktok) });
    [acme, globex] = [await api.seedCompany('Acme'), await api.seedCompany('Globex')];
    acmeAuthorization = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
    collaborationId = (
      await as(acme)
        .post('/collaborations', { name: 'Acme x Globex', memberCompanyIds: [globex.companyId] })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await api?.close();
    await tiktok?.close();
  });

  const as = (company: SeededCompany) => actingAs(api, company);

  async function createDestination(body: Record<string, unknown> = {}) {
    return (
      await as(acme)
        .post('/destinations', {
          name: 'TikTok spring',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config: VALID,
          editableFields: ['audienceName', 'action'],
          ...body,
        })
        .expect(201)
    ).body;
  }

  async function sharedWithGlobex(body: Record<string, unknown> = {}) {
    const destination = await createDestination(body);
    const share = await as(acme)
      .post(`/destinations/${destination.id}/shares`, { collaborationId, companyId: globex.companyId })
      .expect(201);
    return { destination, share: share.body };
  }

  const historyOf = async (destinationId: string) =>
    (await as(acme).get(`/destinations/${destinationId}/history`).expect(200)).body.data;

  describe('the owner configuring a destination', () => {
    it('lists every problem of a destination, the first three in the message', async () => {
      const { audienceName: _left, ...config } = VALID;
      const response = await as(acme)
        .post('/destinations', {
          name: 'Invalid',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config,
          editableFields: ['advertiserId', 'nope'],
          visibleFields: ['ghost'],
        })
        .expect(400);
      const details = [
        {
          field: 'editableFields[0]',
          rule: 'editable',
          message: 'Advertiser ID cannot be editable at export time (TikTok Ads fixes it per destination)',
        },
        {
          field: 'editableFields[1]',
          rule: 'unknownField',
          message: `"nope" is not a field of TikTok Ads; known fields: ${KNOWN}`,
        },
        {
          field: 'visibleFields[0]',
          rule: 'unknownField',
          message: `"ghost" is not a field of TikTok Ads; known fields: ${KNOWN}`,
        },
        {
          field: 'config.audienceName',
          rule: 'required',
          message: 'Audience Name is required (or mark it editable, to be given at export time)',
        },
      ];
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message:
          'The destination is invalid: ' +
          details
            .slice(0, 3)
            .map((problem) => `${problem.field} ${problem.message}`)
            .join('; ') +
          ' (and 1 more).',
        details,
      });
    });

    it('ends the message without a count when there are three problems or fewer', async () => {
      const response = await as(acme)
        .post('/destinations', {
          name: 'Invalid',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config: { ...VALID, retentionInDays: 0 },
        })
        .expect(400);
      expect(response.body.message).toBe(
        'The destination is invalid: config.retentionInDays Retention in days must be at least 1.',
      );
    });

    it('stores fields in schema order, once, trims the name, and treats empty values as not set', async () => {
      const destination = await createDestination({
        name: '  Spaced out  ',
        config: { ...VALID, retentionInDays: '', phoneHashFormat: null },
        editableFields: ['action', 'audienceName', 'action'],
        visibleFields: ['retentionInDays', 'advertiserId', 'action', 'advertiserId'],
      });
      expect(destination).toMatchObject({
        name: 'Spaced out',
        config: { advertiserId: ADVERTISER, audienceName: 'Spring sale buyers', action: 'Create' },
        editableFields: ['audienceName', 'action'],
        // An editable field is visible anyway: it is not listed twice.
        visibleFields: ['advertiserId', 'retentionInDays'],
      });
      expect(Object.keys(destination.config)).toEqual(['advertiserId', 'audienceName', 'action']);
    });

    it('records the creation with everything it set, and each update with from and to', async () => {
      const destination = await createDestination({ visibleFields: ['retentionInDays'] });
      const path = `/destinations/${destination.id}`;
      // Nothing changed, nothing recorded.
      await as(acme)
        .patch(path, { name: 'TikTok spring', config: { action: 'Create' } })
        .expect(200);
      await as(acme)
        .patch(path, { editableFields: ['audienceName'], visibleFields: ['action', 'advertiserId'] })
        .expect(200);
      const otherAuthorization = await connectTikTok(api, tiktok, acme, 'Acme TikTok (second)');
      const moved = await as(acme).patch(path, { authorizationId: otherAuthorization }).expect(200);
      expect(moved.body).toMatchObject({ name: 'TikTok spring', config: VALID });
      const history = await historyOf(destination.id);
      expect(history.map((event: { type: string }) => event.type)).toEqual(['CREATED', 'UPDATED', 'UPDATED']);
      expect(history[0]).toMatchObject({
        actorCompanyId: acme.companyId,
        actorApiKeyId: acme.apiKeyId,
        changes: {
          name: 'TikTok spring',
          provider: 'tiktok',
          authorizationId: acmeAuthorization,
          config: VALID,
          editableFields: ['audienceName', 'action'],
          visibleFields: ['retentionInDays'],
        },
      });
      expect(history[1].changes).toEqual({
        editableFields: { from: ['audienceName', 'action'], to: ['audienceName'] },
        visibleFields: { from: ['retentionInDays'], to: ['advertiserId', 'action'] },
      });
      expect(history[2].changes).toEqual({
        authorizationId: { from: acmeAuthorization, to: otherAuthorization },
      });
    });

    it('refuses an update that would leave a required locked field empty, keeping the destination as it was', async () => {
      const destination = await createDestination();
      const response = await as(acme)
        .patch(`/destinations/${destination.id}`, { editableFields: [], config: { audienceName: null } })
        .expect(400);
      expect(response.body.details).toEqual([
        {
          field: 'config.audienceName',
          rule: 'required',
          message: 'Audience Name is required (or mark it editable, to be given at export time)',
        },
      ]);
      const after = await as(acme).get(`/destinations/${destination.id}`).expect(200);
      expect(after.body).toMatchObject({ config: VALID, editableFields: ['audienceName', 'action'] });
      expect(await historyOf(destination.id)).toHaveLength(1);
    });

    it('asks for an authorization when the destination lost its own', async () => {
      const authorizationId = await connectTikTok(api, tiktok, acme, 'Acme TikTok (to delete)');
      const destination = await createDestination({ authorizationId });
      await as(acme).delete(`/authorizations/${authorizationId}?force=true`).expect(200);
      const response = await as(acme)
        .patch(`/destinations/${destination.id}`, { name: 'Renamed' })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'This destination has no authorization any more; link one with authorizationId.',
        details: [
          {
            field: 'authorizationId',
            rule: 'required',
            message: 'link an authorization of this provider',
          },
        ],
      });
      const resolve = await as(acme).post(`/destinations/${destination.id}/resolve`, {}).expect(409);
      expect(resolve.body.message).toBe(
        `Destination ${destination.id} has no authorization any more (it was deleted); its owner must link one.`,
      );
    });
  });

  describe('overrides at export time', () => {
    it('names unknown and locked overrides, with the fields it knows', async () => {
      const destination = await createDestination();
      const response = await as(acme)
        .post(`/destinations/${destination.id}/resolve`, {
          overrides: { budget: 10, advertiserId: OTHER_ADVERTISER },
        })
        .expect(400);
      const details = [
        {
          field: 'overrides.budget',
          rule: 'unknownField',
          message: `is not a field of this destination; known fields: ${KNOWN}`,
        },
        {
          field: 'overrides.advertiserId',
          rule: 'locked',
          message: 'Advertiser ID is locked by the destination owner and cannot be set at export time',
        },
      ];
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: `The overrides are invalid: ${details.map((problem) => `${problem.field} ${problem.message}`).join('; ')}.`,
        details,
      });
    });

    it("blames the override for its own value and the destination's config for the rest", async () => {
      const { audienceName: _left, ...config } = VALID;
      const destination = await createDestination({ config, editableFields: ['audienceName', 'action'] });
      const response = await as(acme)
        .post(`/destinations/${destination.id}/resolve`, { overrides: { action: 'Merge' } })
        .expect(400);
      expect(response.body).toMatchObject({
        message:
          'The export config is invalid: config.audienceName Audience Name is required; ' +
          'overrides.action Action must be one of Create, Append, Replace.',
        details: [
          { field: 'config.audienceName', rule: 'required', message: 'Audience Name is required' },
          {
            field: 'overrides.action',
            rule: 'enum',
            message: 'Action must be one of Create, Append, Replace',
          },
        ],
      });
    });
  });

  describe('sharing', () => {
    it('explains each refused share', async () => {
      const destination = await createDestination();
      const path = `/destinations/${destination.id}/shares`;
      const self = await as(acme).post(path, { collaborationId, companyId: acme.companyId }).expect(400);
      expect(self.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'A destination cannot be shared with its owner.',
        details: [{ field: 'companyId', rule: 'notOwner', message: 'must be another company' }],
      });
      const stranger = await api.seedCompany('Stranger');
      const notMember = await as(acme)
        .post(path, { collaborationId, companyId: stranger.companyId })
        .expect(422);
      expect(notMember.body).toMatchObject({
        code: 'SHARE_GRANTEE_NOT_MEMBER',
        message: `Company ${stranger.companyId} is not a member of collaboration ${collaborationId}; add it to the collaboration first.`,
        details: [
          { field: 'companyId', rule: 'member', message: 'must be a member company of the collaboration' },
        ],
      });
      const share = await as(acme).post(path, { collaborationId, companyId: globex.companyId }).expect(201);
      const again = await as(acme).post(path, { collaborationId, companyId: globex.companyId }).expect(409);
      expect(again.body).toMatchObject({
        code: 'DESTINATION_SHARE_EXISTS',
        message: `Destination ${destination.id} is already shared with company ${globex.companyId} in collaboration ${collaborationId} (share ${share.body.id}).`,
        details: [
          {
            field: 'companyId',
            rule: 'unique',
            message: 'already has an active share in this collaboration',
          },
        ],
      });
      const unknown = await as(acme).delete(`${path}/${UNKNOWN_SHARE}`).expect(404);
      expect(unknown.body).toMatchObject({
        code: 'DESTINATION_SHARE_NOT_FOUND',
        message: `Share ${UNKNOWN_SHARE} does not exist on destination ${destination.id}.`,
      });
    });

    it("refuses a share of another destination through this one's path", async () => {
      const { share } = await sharedWithGlobex();
      const other = await createDestination();
      await as(acme).delete(`/destinations/${other.id}/shares/${share.id}`).expect(404);
      const shares = await as(acme).get(`/destinations/${other.id}/shares`).expect(200);
      expect(shares.body.data).toEqual([]);
    });

    it('tells a grantee what only the owner may do, action by action', async () => {
      const { destination, share } = await sharedWithGlobex();
      const path = `/destinations/${destination.id}`;
      const refusals = [
        [await as(globex).patch(path, { name: 'Mine' }), 'change it'],
        [await as(globex).delete(path), 'delete it'],
        [await as(globex).post(`${path}/shares`, { collaborationId, companyId: acme.companyId }), 'share it'],
        [await as(globex).get(`${path}/shares`), 'list its shares'],
        [await as(globex).delete(`${path}/shares/${share.id}`), 'revoke its shares'],
        [await as(globex).get(`${path}/history`), 'read its history'],
      ] as const;
      for (const [response, action] of refusals) {
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({
          code: 'DESTINATION_OWNER_ONLY',
          message: `Destination ${destination.id} is shared with your company; only its owner can ${action}.`,
        });
      }
      const outsider = await api.seedCompany('Outsider');
      const hidden = await as(outsider).get(path).expect(404);
      expect(hidden.body.message).toBe(
        `Destination ${destination.id} does not exist or is not shared with your company.`,
      );
      const elsewhere = await as(acme)
        .post('/collaborations', { name: 'Acme x Globex, later', memberCompanyIds: [globex.companyId] })
        .expect(201);
      const through = await as(globex)
        .post(`${path}/resolve`, { collaborationId: elsewhere.body.id })
        .expect(404);
      expect(through.body.message).toBe(
        `Destination ${destination.id} is not shared with your company in collaboration ${elsewhere.body.id}.`,
      );
      // The owner may use its destination in any collaboration it belongs to.
      await as(acme).post(`${path}/resolve`, { collaborationId: elsewhere.body.id }).expect(200);
    });

    it('records shares, revocations and deletion; revoking twice records once; history outlives deletion', async () => {
      const { destination, share } = await sharedWithGlobex();
      const path = `/destinations/${destination.id}`;
      const second = await as(acme)
        .post('/collaborations', { name: 'Acme x Globex, second', memberCompanyIds: [globex.companyId] })
        .expect(201);
      const other = await as(acme)
        .post(`${path}/shares`, { collaborationId: second.body.id, companyId: globex.companyId })
        .expect(201);
      await as(acme).delete(`${path}/shares/${share.id}`).expect(200);
      const again = await as(acme).delete(`${path}/shares/${share.id}`).expect(200);
      expect(again.body).toMatchObject({ id: share.id, status: 'REVOKED' });
      await as(acme).delete(path).expect(200);
      const history = await historyOf(destination.id);
      expect(history.map((event: { type: string; changes: unknown }) => [event.type, event.changes])).toEqual(
        [
          ['CREATED', expect.any(Object)],
          ['SHARED', { shareId: share.id, collaborationId, companyId: globex.companyId }],
          [
            'SHARED',
            { shareId: other.body.id, collaborationId: second.body.id, companyId: globex.companyId },
          ],
          ['SHARE_REVOKED', { shareId: share.id, collaborationId, companyId: globex.companyId }],
          ['DELETED', { revokedShares: [other.body.id] }],
        ],
      );
      const shares = await as(acme).get(`${path}/shares`).expect(404);
      expect(shares.body.code).toBe('DESTINATION_NOT_FOUND');
      await as(globex).get(`${path}/history`).expect(404);
    });

    it('shows a grantee each collaboration it may use the destination in, once, sorted', async () => {
      const { destination } = await sharedWithGlobex();
      const path = `/destinations/${destination.id}`;
      const second = await as(acme)
        .post('/collaborations', { name: 'Acme x Globex, third', memberCompanyIds: [globex.companyId] })
        .expect(201);
      await as(acme)
        .post(`${path}/shares`, { collaborationId: second.body.id, companyId: globex.companyId })
        .expect(201);
      const expected = [collaborationId, second.body.id].sort();
      const seen = await as(globex).get(path).expect(200);
      expect(seen.body).toMatchObject({ role: 'GRANTEE', sharedIn: expected });
      const listed = await as(globex).get('/destinations?limit=200').expect(200);
      expect(listed.body.data.find((entry: { id: string }) => entry.id === destination.id)).toMatchObject({
        role: 'GRANTEE',
        sharedIn: expected,
      });
      // Narrowed to one collaboration: what the grantee may use there, and nothing shared elsewhere.
      const third = await as(acme)
        .post('/collaborations', { name: 'Acme x Globex, fourth', memberCompanyIds: [globex.companyId] })
        .expect(201);
      const pane = await as(globex)
        .get(`/collaborations/${third.body.id}/destinations?limit=200`)
        .expect(200);
      expect(pane.body.data.map((entry: { id: string }) => entry.id)).not.toContain(destination.id);
      const mine = await as(acme).get(`/collaborations/${third.body.id}/destinations?limit=200`).expect(200);
      expect(mine.body.data.find((entry: { id: string }) => entry.id === destination.id)).toMatchObject({
        role: 'OWNER',
        sharedIn: [],
      });
    });
  });

  describe('what lists, shares and refusals name', () => {
    it('names the collaboration a company is not in, and the authorization it does not hold', async () => {
      const own = (await as(globex).post('/collaborations', { name: 'Globex alone' }).expect(201)).body.id;
      const listed = await as(acme).get(`/destinations?collaborationId=${own}`).expect(404);
      expect(listed.body.details).toEqual([expect.objectContaining({ field: 'collaborationId' })]);
      const destination = await createDestination();
      const shared = await as(acme)
        .post(`/destinations/${destination.id}/shares`, { collaborationId: own, companyId: globex.companyId })
        .expect(404);
      expect(shared.body.details).toEqual([expect.objectContaining({ field: 'collaborationId' })]);
      const foreign = await connectTikTok(api, tiktok, globex, 'Globex TikTok');
      const created = await as(acme)
        .post('/destinations', {
          name: 'Not mine',
          provider: 'tiktok',
          authorizationId: foreign,
          config: VALID,
        })
        .expect(404);
      expect(created.body.details).toEqual([expect.objectContaining({ field: 'authorizationId' })]);
    });

    it('filters the list by provider', async () => {
      await createDestination();
      expect(
        (await as(acme).get('/destinations?provider=tiktok').expect(200)).body.data.length,
      ).toBeGreaterThan(0);
      expect((await as(acme).get('/destinations?provider=meta').expect(200)).body.data).toEqual([]);
    });

    it('tells a grantee only the collaborations this destination is shared in, sorted', async () => {
      const second = (
        await as(acme)
          .post('/collaborations', { name: 'Acme x Globex, again', memberCompanyIds: [globex.companyId] })
          .expect(201)
      ).body.id;
      const [first, later] = [collaborationId, second].sort();
      const destination = await createDestination();
      const other = await createDestination({ name: 'Another one' });
      // Shared in the later collaboration first: the answer is sorted, not in share order.
      for (const [id, clb] of [
        [destination.id, later],
        [destination.id, first],
        [other.id, later],
      ])
        await as(acme)
          .post(`/destinations/${id}/shares`, { collaborationId: clb, companyId: globex.companyId })
          .expect(201);
      expect((await as(globex).get(`/destinations/${destination.id}`).expect(200)).body.sharedIn).toEqual([
        first,
        later,
      ]);
      expect((await as(globex).get(`/destinations/${other.id}`).expect(200)).body.sharedIn).toEqual([later]);
    });

    it('refuses at export time an advertiser the authorization no longer grants', async () => {
      const destination = await createDestination();
      const em = api.app.get(EntityManager).fork();
      const authorization = await em.findOneOrFail(Authorization, acmeAuthorization);
      const accounts = authorization.accounts;
      authorization.accounts = accounts.filter((account) => account.id !== ADVERTISER);
      await em.flush();
      try {
        const resolved = await as(acme)
          .post(`/destinations/${destination.id}/resolve`, { collaborationId })
          .expect(400);
        expect(resolved.body.details).toEqual([
          expect.objectContaining({ field: 'config.advertiserId', rule: 'externalAccount' }),
        ]);
      } finally {
        authorization.accounts = accounts;
        await em.flush();
      }
    });
  });
});
