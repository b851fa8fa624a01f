import { ExportRunner, JobRunner, UnitOfWork } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import { buildOpenApiDocument } from '../src/docs/openapi-document';
import { bearer, bootApi, type ApiHarness } from './api-harness';
import { documentedOperations, fillPath, type DocumentedOperation } from './api-operations';
import { DEMO_CSV, DEMO_SQLITE_PATH, writeDemoSqlite } from './tenant-world';
import { ADVERTISERS, connectTikTok, startEmulator, tiktokEnv } from './tiktok-world';

const database = process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';

/** Small pages over more than two of them: a first, a middle and a last page. */
const LIMIT = 2;

/** A list made ready to page: who reads it, where, and every item it must return. */
interface FilledList {
  as: SeededCompany;
  /** The operation's path parameters. */
  params?: Record<string, string>;
  /** The ids of every item the list must return, in the order they were created (ids sort by it). */
  expected: string[];
}

type Filler = (kit: FillKit) => Promise<FilledList>;

/**
 * How to fill each paged list (every operation taking `?cursor`), keyed by operationId. Each filler
 * works in companies of its own, so a list holds exactly what the filler made. A new paged list fails
 * the first spec below until it has a filler here.
 */
const PAGED_LISTS: Record<string, Filler> = {
  ApiKeys_list: async (kit) => {
    const owner = await kit.company();
    const created = await kit.times(4, (n) => kit.create(owner, '/api-keys', { name: `key ${n}` }));
    return { as: owner, expected: [owner.apiKeyId, ...created] };
  },

  // Created by the company and joined as a member, interleaved: the list is of memberships.
  Collaborations_list: async (kit) => {
    const [member, other] = [await kit.company(), await kit.company()];
    const expected = await kit.times(5, (n) =>
      n % 2 === 0
        ? kit.create(member, '/collaborations', { name: `own ${n}` })
        : kit.create(other, '/collaborations', { name: `joined ${n}`, memberCompanyIds: [member.companyId] }),
    );
    return { as: member, expected };
  },

  Authorizations_list: async (kit) => {
    const owner = await kit.company();
    const expected = await kit.times(5, (n) =>
      kit.create(owner, '/authorizations', { name: `TikTok ${n}`, provider: 'tiktok' }),
    );
    return { as: owner, expected };
  },

  Destinations_list: async (kit) => {
    const owner = await kit.company();
    const authorizationId = await kit.connect(owner);
    const expected = await kit.times(5, (n) => kit.destination(owner, authorizationId, `owned ${n}`));
    return { as: owner, expected };
  },

  // The grantee's view: destinations shared with it in the collaboration, none of them its own.
  Destinations_listForCollaboration: async (kit) => {
    const [owner, grantee] = [await kit.company(), await kit.company()];
    const collaborationId = await kit.create(owner, '/collaborations', {
      name: 'Shared destinations',
      memberCompanyIds: [grantee.companyId],
    });
    const authorizationId = await kit.connect(owner);
    const expected = await kit.times(5, async (n) => {
      const destinationId = await kit.destination(owner, authorizationId, `shared ${n}`);
      await kit.create(owner, `/destinations/${destinationId}/shares`, {
        collaborationId,
        companyId: grantee.companyId,
      });
      return destinationId;
    });
    return { as: grantee, params: { collaborationId }, expected };
  },

  Destinations_listShares: async (kit) => {
    const owner = await kit.company();
    const grantees = await kit.times(5, () => kit.company());
    const collaborationId = await kit.create(owner, '/collaborations', {
      name: 'Five grantees',
      memberCompanyIds: grantees.map((grantee) => grantee.companyId),
    });
    const destinationId = await kit.destination(owner, await kit.connect(owner), 'shared five times');
    const expected = await kit.times(5, (n) =>
      kit.create(owner, `/destinations/${destinationId}/shares`, {
        collaborationId,
        companyId: grantees[n].companyId,
      }),
    );
    return { as: owner, params: { destinationId }, expected };
  },

  // Six events: the last page is full, and must still say it is the last.
  Destinations_history: async (kit) => {
    const owner = await kit.company();
    const destinationId = await kit.destination(owner, await kit.connect(owner), 'renamed');
    for (let n = 1; n <= 5; n++) {
      await kit.api.http
        .patch(`/destinations/${destinationId}`)
        .set(bearer(owner.apiKey))
        .send({ name: `renamed ${n}` })
        .expect(200);
    }
    // Event ids are not returned by the calls that caused them: read them in one page of the largest size.
    const all = await kit.api.http
      .get(`/destinations/${destinationId}/history?limit=200`)
      .set(bearer(owner.apiKey))
      .expect(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.data.map((event: { type: string }) => event.type)).toEqual([
      'CREATED',
      ...Array(5).fill('UPDATED'),
    ]);
    return { as: owner, params: { destinationId }, expected: all.body.data.map(idOf) };
  },

  Segments_listDataSources: async (kit) => {
    const owner = await kit.company();
    writeDemoSqlite(kit.api, owner.companyId);
    const expected = await kit.times(5, (n) =>
      kit.create(owner, '/data-sources', { name: `CRM ${n}`, kind: 'SQLITE', path: DEMO_SQLITE_PATH }),
    );
    return { as: owner, expected };
  },

  Segments_list: async (kit) => {
    const owner = await kit.company();
    const collaborationId = await kit.create(owner, '/collaborations', { name: 'Segments' });
    const expected = await kit.times(5, (n) =>
      kit.create(owner, `/collaborations/${collaborationId}/segments`, {
        name: `segment ${n}`,
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      }),
    );
    return { as: owner, params: { collaborationId }, expected };
  },

  Exports_listForSegment: async (kit) => {
    const { owner, collaborationId, segmentId, destinationId } = await kit.exportable();
    const expected = await kit.times(5, () =>
      kit.exportSegment(owner, collaborationId, segmentId, destinationId),
    );
    return { as: owner, params: { collaborationId, segmentId }, expected };
  },

  // The owner's audit: exports of several segments through one destination.
  Exports_listForDestination: async (kit) => {
    const { owner, collaborationId, destinationId } = await kit.exportable();
    const expected = await kit.times(5, async () =>
      kit.exportSegment(
        owner,
        collaborationId,
        await kit.readySegment(owner, collaborationId),
        destinationId,
      ),
    );
    return { as: owner, params: { destinationId }, expected };
  },

  // Queued, started, the provider's steps, sent, processing, and how processing ended.
  Exports_events: async (kit) => {
    const { owner, collaborationId, segmentId, destinationId } = await kit.exportable();
    const exportId = await kit.exportSegment(owner, collaborationId, segmentId, destinationId);
    await kit.completeExports();
    const all = await kit.api.http
      .get(`/exports/${exportId}/events?limit=200`)
      .set(bearer(owner.apiKey))
      .expect(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.data.at(-1).type).toMatch(/^(COMPLETED|FAILED)$/);
    return { as: owner, params: { exportId }, expected: all.body.data.map(idOf) };
  },
};

/** What fillers build with: fresh companies, and resources created through the API. */
class FillKit {
  constructor(
    readonly api: ApiHarness,
    private readonly tiktok: RunningEmulator,
  ) {}

  company(): Promise<SeededCompany> {
    return this.api.seedCompany();
  }

  /** POSTs `body` as `company` and returns the created resource's id. */
  async create(company: SeededCompany, path: string, body: object): Promise<string> {
    const response = await this.api.http.post(path).set(bearer(company.apiKey)).send(body);
    if (response.status !== 201)
      throw new Error(`POST ${path} answered ${response.status}: ${response.text.slice(0, 300)}`);
    return idOf(response.body);
  }

  /** `count` results of `make`, made one after the other so their ids sort in creation order. */
  async times<T>(count: number, make: (n: number) => Promise<T>): Promise<T[]> {
    const made: T[] = [];
    for (let n = 0; n < count; n++) made.push(await make(n));
    return made;
  }

  /** A company with a connected destination and a READY segment in a collaboration of its own. */
  async exportable() {
    const owner = await this.company();
    const collaborationId = await this.create(owner, '/collaborations', { name: 'Exports' });
    const destinationId = await this.destination(owner, await this.connect(owner), 'export target');
    const segmentId = await this.readySegment(owner, collaborationId);
    return { owner, collaborationId, segmentId, destinationId };
  }

  async readySegment(owner: SeededCompany, collaborationId: string): Promise<string> {
    const segmentId = await this.create(owner, `/collaborations/${collaborationId}/segments`, {
      name: 'To export',
      source: { type: 'upload' },
      keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
    });
    await this.api.http
      .put(`/collaborations/${collaborationId}/segments/${segmentId}/upload`)
      .set(bearer(owner.apiKey))
      .attach('file', Buffer.from(DEMO_CSV), 'segment.csv')
      .expect(202);
    await this.api.app.get(JobRunner).idle();
    return segmentId;
  }

  /** Exports the segment (202) and waits until the run is done; returns the export's id. */
  async exportSegment(
    owner: SeededCompany,
    collaborationId: string,
    segmentId: string,
    destinationId: string,
  ): Promise<string> {
    const response = await this.api.http
      .post(`/collaborations/${collaborationId}/segments/${segmentId}/exports`)
      .set(bearer(owner.apiKey))
      .send({ destinationId })
      .expect(202);
    await this.api.app.get(JobRunner).idle();
    return idOf(response.body);
  }

  /** TikTok finishes processing; the scheduler's round completes every export sent. */
  async completeExports(): Promise<void> {
    this.tiktok.emulator.finishProcessing();
    await this.api.app.get(UnitOfWork).run(() => this.api.app.get(ExportRunner).maintain());
  }

  connect(company: SeededCompany): Promise<string> {
    return connectTikTok(this.api, this.tiktok, company, 'TikTok');
  }

  destination(owner: SeededCompany, authorizationId: string, name: string): Promise<string> {
    return this.create(owner, '/destinations', {
      name,
      provider: 'tiktok',
      authorizationId,
      config: {
        advertiserId: ADVERTISERS[0].advertiserId,
        audienceName: `Audience ${name}`,
        action: 'Create',
      },
    });
  }
}

function idOf(item: { id?: unknown }): string {
  if (typeof item.id !== 'string') throw new Error(`An item without an id: ${JSON.stringify(item)}`);
  return item.id;
}

describe(`cursor paging over HTTP, every paged list (${database})`, () => {
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let paged: DocumentedOperation[];

  beforeAll(async () => {
    tiktok = await startEmulator();
    api = await bootApi({ env: tiktokEnv(tiktok) });
    paged = documentedOperations(buildOpenApiDocument(api.app)).filter((operation) =>
      operation.queryParams.includes('cursor'),
    );
  });

  afterAll(async () => {
    await api?.close();
    await tiktok?.close();
  });

  it('knows how to fill every list the OpenAPI document says takes a cursor', () => {
    const unknown = paged.filter((operation) => !(operation.id in PAGED_LISTS));
    if (unknown.length > 0) {
      throw new Error(
        `No filler for the paged list(s) ${unknown.map((op) => `${op.id} (GET ${op.path})`).join(', ')}: ` +
          'add one to PAGED_LISTS in pagination.e2e-spec.ts.',
      );
    }
    // And no filler outlives its list (a renamed operation would otherwise go untested).
    expect(paged.map((operation) => operation.id).sort()).toEqual(Object.keys(PAGED_LISTS).sort());
  });

  it.each(Object.keys(PAGED_LISTS))(
    '%s: pages of two return every item once, in id order, end with a null cursor, and refuse a forged cursor',
    async (operationId) => {
      const operation = paged.find((candidate) => candidate.id === operationId);
      if (!operation) throw new Error(`${operationId} is not a documented paged list any more`);
      const list = await PAGED_LISTS[operationId](new FillKit(api, tiktok));
      expect(list.expected.length).toBeGreaterThanOrEqual(5);
      const path = fillPath(operation.path, (name) => {
        const value = list.params?.[name];
        if (value === undefined) throw new Error(`The filler of ${operationId} gave no "${name}"`);
        return value;
      });
      const page = (cursor: string | null) => {
        const query = new URLSearchParams({ limit: String(LIMIT) });
        if (cursor !== null) query.set('cursor', cursor);
        return api.http.get(`${path}?${query}`).set(bearer(list.as.apiKey));
      };

      const pages: string[][] = [];
      let cursor: string | null = null;
      // Bounded: a cursor that never ends (or repeats) fails the spec instead of hanging it.
      while (pages.length <= list.expected.length) {
        const body: { data: { id?: unknown }[]; nextCursor: string | null } = (await page(cursor).expect(200))
          .body;
        expect(Object.keys(body).sort()).toEqual(['data', 'nextCursor']);
        pages.push(body.data.map(idOf));
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      const ids = pages.flat();
      expect(ids).toEqual(list.expected);
      expect(ids).toEqual([...ids].sort());
      // Full pages until the last, which is not empty: the cursor stops exactly at the end.
      expect(pages.map((page) => page.length)).toEqual(
        Array.from({ length: Math.ceil(ids.length / LIMIT) }, (_, index) =>
          Math.min(LIMIT, ids.length - index * LIMIT),
        ),
      );

      // Not base64url JSON, and well-formed JSON whose `after` is not an id: neither is a cursor we issued.
      const forged = [
        'not-a-cursor',
        Buffer.from(JSON.stringify({ after: "' OR 1=1 --" })).toString('base64url'),
      ];
      for (const bad of forged) {
        const refused = await page(bad).expect(400);
        expect(refused.body.code).toBe('INVALID_CURSOR');
      }
    },
    // A filler does real work (five exports through the emulator): seconds on PostgreSQL.
    30_000,
  );
});
