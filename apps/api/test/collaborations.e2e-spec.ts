import { Collaboration, CollaborationMember, CollaborationRole, Company } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import { EntityManager } from '@mikro-orm/core';
import { bearer, bootApi, type ApiHarness } from './api-harness';

// Collaborations: who belongs to one, the list each company sees, and every refusal as the API words it
// (code, message and details), since callers act on all three.
describe(`collaborations API (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await bootApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const ghost = 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z';
  const otherGhost = 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W2A';

  async function create(
    owner: SeededCompany,
    name: string,
    members: SeededCompany[] = [],
  ): Promise<{ id: string; name: string }> {
    const response = await api.http
      .post('/collaborations')
      .set(bearer(owner.apiKey))
      .send({ name, memberCompanyIds: members.map((member) => member.companyId) })
      .expect(201);
    return response.body;
  }

  interface Refusal {
    code: string;
    message: string;
    details?: unknown[];
  }

  function expectRefusal(body: Refusal, code: string, message: string, details?: unknown[]): void {
    expect(body.code).toBe(code);
    expect(body.message).toBe(message);
    expect(body.details).toEqual(details);
  }

  describe('creation', () => {
    it('trims the name and adds each partner once, never the owner as a member', async () => {
      const acme = await api.seedCompany('Acme');
      const globex = await api.seedCompany('Globex');
      const response = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({
          name: '  Acme x Globex  ',
          memberCompanyIds: [globex.companyId, acme.companyId, globex.companyId],
        })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^clb_[0-9A-Z]{26}$/),
        name: 'Acme x Globex',
        ownerCompanyId: acme.companyId,
        members: [
          { companyId: acme.companyId, companyName: 'Acme', role: 'OWNER', addedAt: expect.any(String) },
          { companyId: globex.companyId, companyName: 'Globex', role: 'MEMBER', addedAt: expect.any(String) },
        ],
        createdAt: expect.any(String),
      });
    });

    it('refuses unknown partners, naming each of them, and creates nothing', async () => {
      const acme = await api.seedCompany('Acme');
      const globex = await api.seedCompany('Globex');
      const response = await api.http
        .post('/collaborations')
        .set(bearer(acme.apiKey))
        .send({ name: 'Ghosts', memberCompanyIds: [ghost, globex.companyId, otherGhost] })
        .expect(404);
      expectRefusal(
        response.body,
        'COMPANY_NOT_FOUND',
        `No company has the id ${ghost}, ${otherGhost}; ask your partner for the id shown by GET /companies/me.`,
        [
          { field: 'memberCompanyIds', rule: 'exists', message: `company ${ghost} does not exist` },
          { field: 'memberCompanyIds', rule: 'exists', message: `company ${otherGhost} does not exist` },
        ],
      );
      const listed = await api.http.get('/collaborations').set(bearer(acme.apiKey)).expect(200);
      expect(listed.body).toEqual({ data: [], nextCursor: null });
    });
  });

  describe('list', () => {
    it('shows what I own and what I am a member of, oldest first, in pages, with every member', async () => {
      const me = await api.seedCompany('Me');
      const initech = await api.seedCompany('Initech');
      const umbrella = await api.seedCompany('Umbrella');
      // Created first, but I join it last: the list still follows creation order.
      const older = await create(initech, 'Older');
      const mine = await create(me, 'Mine');
      const theirs = await create(umbrella, 'Theirs', [me, initech]);
      await create(initech, 'Not mine', [umbrella]);
      await api.http
        .post(`/collaborations/${older.id}/members`)
        .set(bearer(initech.apiKey))
        .send({ companyId: me.companyId })
        .expect(201);

      // A row stored after the others with the smallest id (as an import would leave it): the list
      // follows ids, not the order rows reached the table.
      const em = api.app.get(EntityManager).fork();
      const owner = await em.findOneOrFail(Company, { id: me.companyId });
      const imported = new Collaboration('Imported', owner);
      imported.id = 'clb_00000000000000000000000000';
      imported.members.add(new CollaborationMember(imported, owner, CollaborationRole.OWNER));
      await em.persistAndFlush(imported);
      const all = await api.http.get('/collaborations').set(bearer(me.apiKey)).expect(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.data.map((c: { name: string }) => c.name)).toEqual([
        'Imported',
        'Older',
        'Mine',
        'Theirs',
      ]);
      const members = (c: { members: { companyName: string; role: string }[] }) =>
        c.members.map((member) => `${member.companyName}:${member.role}`);
      expect(all.body.data.map(members)).toEqual([
        ['Me:OWNER'],
        ['Initech:OWNER', 'Me:MEMBER'],
        ['Me:OWNER'],
        ['Umbrella:OWNER', 'Me:MEMBER', 'Initech:MEMBER'],
      ]);

      const first = await api.http.get('/collaborations?limit=3').set(bearer(me.apiKey)).expect(200);
      expect(first.body.data.map((c: { id: string }) => c.id)).toEqual([imported.id, older.id, mine.id]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api.http
        .get(`/collaborations?limit=3&cursor=${first.body.nextCursor}`)
        .set(bearer(me.apiKey))
        .expect(200);
      expect(second.body.data.map((c: { id: string }) => c.id)).toEqual([theirs.id]);
      expect(second.body.nextCursor).toBeNull();
      expect(members(second.body.data[0])).toEqual(['Umbrella:OWNER', 'Me:MEMBER', 'Initech:MEMBER']);
    });
  });

  describe('membership', () => {
    it('answers 404 alike for a foreign and a missing collaboration, naming the field when one carried it', async () => {
      const acme = await api.seedCompany('Acme');
      const outsider = await api.seedCompany('Outsider');
      const collaboration = await create(acme, 'Private');
      const missing = 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z';
      for (const id of [collaboration.id, missing]) {
        const read = await api.http.get(`/collaborations/${id}`).set(bearer(outsider.apiKey)).expect(404);
        expectRefusal(
          read.body,
          'COLLABORATION_NOT_FOUND',
          `Collaboration ${id} does not exist or your company is not a member.`,
        );
      }
      const filtered = await api.http
        .get(`/destinations?collaborationId=${collaboration.id}`)
        .set(bearer(outsider.apiKey))
        .expect(404);
      expectRefusal(
        filtered.body,
        'COLLABORATION_NOT_FOUND',
        `Collaboration ${collaboration.id} does not exist or your company is not a member.`,
        [
          {
            field: 'collaborationId',
            rule: 'member',
            message: 'must be a collaboration your company belongs to',
          },
        ],
      );
    });

    it('lets only the owner add members, once each, and only companies that exist', async () => {
      const acme = await api.seedCompany('Acme');
      const globex = await api.seedCompany('Globex');
      const initech = await api.seedCompany('Initech');
      const { id } = await create(acme, 'Retail', [globex]);
      const add = (as: SeededCompany, companyId: string) =>
        api.http.post(`/collaborations/${id}/members`).set(bearer(as.apiKey)).send({ companyId });

      expectRefusal(
        (await add(globex, initech.companyId).expect(403)).body,
        'COLLABORATION_OWNER_ONLY',
        `Only the owner of collaboration ${id} may add members.`,
      );
      expectRefusal(
        (await add(acme, globex.companyId).expect(409)).body,
        'COLLABORATION_MEMBER_EXISTS',
        `Company ${globex.companyId} is already a member of collaboration ${id}.`,
        [{ field: 'companyId', rule: 'unique', message: 'is already a member' }],
      );
      expectRefusal(
        (await add(acme, ghost).expect(404)).body,
        'COMPANY_NOT_FOUND',
        `No company has the id ${ghost}; ask your partner for the id shown by GET /companies/me.`,
        [{ field: 'companyId', rule: 'exists', message: `company ${ghost} does not exist` }],
      );

      const added = await add(acme, initech.companyId).expect(201);
      expect(added.body.members).toEqual([
        expect.objectContaining({ companyId: acme.companyId, role: 'OWNER' }),
        expect.objectContaining({ companyId: globex.companyId, role: 'MEMBER' }),
        expect.objectContaining({ companyId: initech.companyId, companyName: 'Initech', role: 'MEMBER' }),
      ]);
    });

    it('lets the owner remove members and members leave, but never removes the owner', async () => {
      const acme = await api.seedCompany('Acme');
      const globex = await api.seedCompany('Globex');
      const initech = await api.seedCompany('Initech');
      const umbrella = await api.seedCompany('Umbrella');
      const { id } = await create(acme, 'Short-lived', [globex, initech]);
      const remove = (as: SeededCompany, companyId: string) =>
        api.http.delete(`/collaborations/${id}/members/${companyId}`).set(bearer(as.apiKey));

      const otherMember = `Only the owner of collaboration ${id} may remove other members.`;
      expectRefusal(
        (await remove(globex, initech.companyId).expect(403)).body,
        'COLLABORATION_OWNER_ONLY',
        otherMember,
      );
      expectRefusal(
        (await remove(globex, acme.companyId).expect(403)).body,
        'COLLABORATION_OWNER_ONLY',
        otherMember,
      );
      expectRefusal(
        (await remove(acme, acme.companyId).expect(409)).body,
        'COLLABORATION_OWNER_CANNOT_LEAVE',
        `Company ${acme.companyId} owns collaboration ${id} and cannot be removed from it.`,
      );
      expectRefusal(
        (await remove(acme, umbrella.companyId).expect(404)).body,
        'COLLABORATION_MEMBER_NOT_FOUND',
        `Company ${umbrella.companyId} is not a member of collaboration ${id}.`,
      );

      await remove(globex, globex.companyId).expect(204);
      await remove(acme, initech.companyId).expect(204);
      const left = await api.http.get(`/collaborations/${id}`).set(bearer(acme.apiKey)).expect(200);
      expect(left.body.members.map((m: { companyId: string }) => m.companyId)).toEqual([acme.companyId]);
      await api.http.get(`/collaborations/${id}`).set(bearer(initech.apiKey)).expect(404);
    });
  });
});
