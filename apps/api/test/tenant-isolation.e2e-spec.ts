import { randomBytes } from 'node:crypto';
import { symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { companySqliteFolder } from '@conduit/domain';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import type { Response } from 'supertest';
import { buildOpenApiDocument } from '../src/docs/openapi-document';
import { bootApi, type ApiHarness } from './api-harness';
import { documentedOperations, fillPath, registeredRoutes, type DocumentedOperation } from './api-operations';
import { buildTenantWorld, DEMO_CSV, DEMO_SQLITE_PATH, OWNER_MARKER, type TenantWorld } from './tenant-world';
import { startEmulator, tiktokEnv } from './tiktok-world';

// Some 300 requests plus an OAuth round trip and a materialization, on a shared CI machine.
jest.setTimeout(60_000);

const database = process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';

/** The routes the API-key guard lets through (@Public); every other route answers 401 without a key. */
/**
 * Routes served without an API key. `/metrics` is an operator's (Prometheus scrapes it like `/health`;
 * `METRICS_TOKEN` closes it) and names no tenant: no id, no customer value in its labels.
 */
const EXPECTED_PUBLIC_ROUTES = [
  'GET /health',
  'GET /metrics',
  'GET /oauth/callback/{provider}',
  'GET /oauth/result',
];

/** Path parameters that name no tenant's resource: the provider catalog is the same for everyone. */
const CATALOG_PARAMS: Record<string, string> = { providerId: 'tiktok' };

/** The body each JSON operation gets, from every caller: A's ids wherever the operation takes an id. */
const JSON_BODIES: Record<string, (world: TenantWorld) => object> = {
  Companies_update: () => ({ name: 'Renamed by the matrix' }),
  ApiKeys_create: () => ({ name: 'matrix' }),
  Collaborations_create: () => ({ name: 'matrix' }),
  // The stranger tries to bring itself into A's collaboration; the grantee tries to bring the stranger in.
  Collaborations_addMember: (world) => ({ companyId: world.stranger.companyId }),
  Authorizations_create: () => ({ name: 'matrix', provider: 'tiktok' }),
  Authorizations_rename: () => ({ name: 'Renamed by the matrix' }),
  Destinations_create: (world) => ({
    name: 'On a borrowed authorization',
    provider: 'tiktok',
    authorizationId: world.ownerIds.authorizationId,
    config: { advertiserId: world.hiddenValue, audienceName: 'Borrowed audience', action: 'Create' },
  }),
  Destinations_update: () => ({ name: 'Renamed by the matrix' }),
  Destinations_resolve: (world) => ({ collaborationId: world.ownerIds.collaborationId }),
  Destinations_share: (world) => ({
    collaborationId: world.ownerIds.collaborationId,
    companyId: world.grantee.companyId,
  }),
  Segments_createDataSource: () => ({ name: 'matrix', kind: 'SQLITE', path: DEMO_SQLITE_PATH }),
  Exports_create: (world) => ({ destinationId: world.ownerIds.destinationId }),
  Segments_create: (world) => ({
    name: 'On a borrowed data source',
    source: { type: 'sql', dataSourceId: world.ownerIds.dataSourceId, query: 'SELECT email FROM customers' },
    keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
  }),
};

type Expected = readonly [status: number, code?: string];

/**
 * What the grantee B gets on every operation, as documented: README "Destinations and sharing" (a
 * grantee sees the destination with its editable and visible fields, never the authorization, may
 * resolve it; owner-only writes are 403), "Activation segments" (a segment is visible only to the
 * company that created it), the controllers' @ApiOperation descriptions ("Owner only", "My company's
 * …") and the README (a foreign id is 404). Operations on B's own company answer their success status.
 */
const GRANTEE_EXPECTS: Record<string, Expected> = {
  Companies_me: [200],
  Companies_update: [200],
  ApiKeys_list: [200],
  ApiKeys_create: [201],
  ApiKeys_get: [404, 'API_KEY_NOT_FOUND'],
  ApiKeys_revoke: [404, 'API_KEY_NOT_FOUND'],
  Collaborations_create: [201],
  Collaborations_list: [200],
  Collaborations_get: [200],
  Collaborations_addMember: [403, 'COLLABORATION_OWNER_ONLY'],
  Collaborations_removeMember: [403, 'COLLABORATION_OWNER_ONLY'],
  Authorizations_create: [201],
  Authorizations_list: [200],
  Authorizations_get: [404, 'AUTHORIZATION_NOT_FOUND'],
  Authorizations_rename: [404, 'AUTHORIZATION_NOT_FOUND'],
  Authorizations_remove: [404, 'AUTHORIZATION_NOT_FOUND'],
  Authorizations_reauthorize: [404, 'AUTHORIZATION_NOT_FOUND'],
  Providers_list: [200],
  Providers_get: [200],
  Destinations_create: [404, 'AUTHORIZATION_NOT_FOUND'],
  Destinations_list: [200],
  Destinations_listForCollaboration: [200],
  Destinations_get: [200],
  Destinations_update: [403, 'DESTINATION_OWNER_ONLY'],
  Destinations_remove: [403, 'DESTINATION_OWNER_ONLY'],
  Destinations_resolve: [200],
  Destinations_share: [403, 'DESTINATION_OWNER_ONLY'],
  Destinations_listShares: [403, 'DESTINATION_OWNER_ONLY'],
  Destinations_revokeShare: [403, 'DESTINATION_OWNER_ONLY'],
  Destinations_history: [403, 'DESTINATION_OWNER_ONLY'],
  Segments_createDataSource: [201],
  Segments_listDataSources: [200],
  Segments_deleteDataSource: [404, 'DATA_SOURCE_NOT_FOUND'],
  Segments_create: [404, 'DATA_SOURCE_NOT_FOUND'],
  Segments_list: [200],
  Segments_get: [404, 'SEGMENT_NOT_FOUND'],
  Segments_remove: [404, 'SEGMENT_NOT_FOUND'],
  Segments_refresh: [404, 'SEGMENT_NOT_FOUND'],
  Segments_upload: [404, 'SEGMENT_NOT_FOUND'],
  Segments_rows: [404, 'SEGMENT_NOT_FOUND'],
  // README "Exports": an export is its requesting company's; the destination's owner audits them all.
  Exports_create: [404, 'SEGMENT_NOT_FOUND'],
  Exports_listForSegment: [404, 'SEGMENT_NOT_FOUND'],
  Exports_get: [404, 'EXPORT_NOT_FOUND'],
  Exports_events: [404, 'EXPORT_NOT_FOUND'],
  Exports_cancel: [404, 'EXPORT_NOT_FOUND'],
  Exports_retry: [404, 'EXPORT_NOT_FOUND'],
  Exports_stopRepeating: [404, 'EXPORT_NOT_FOUND'],
  Exports_listForDestination: [403, 'DESTINATION_OWNER_ONLY'],
};

const routeKey = (route: { method: string; path: string }) => `${route.method.toUpperCase()} ${route.path}`;

describe(`tenant isolation, every documented operation (${database})`, () => {
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let world: TenantWorld;
  let operations: DocumentedOperation[];
  let guarded: DocumentedOperation[];
  let requests = 0;

  beforeAll(async () => {
    tiktok = await startEmulator();
    api = await bootApi({ env: tiktokEnv(tiktok) });
    world = await buildTenantWorld(api, tiktok);
    operations = documentedOperations(buildOpenApiDocument(api.app));
    guarded = operations.filter((operation) => !operation.open);
  });

  afterAll(async () => {
    await api?.close();
    await tiktok?.close();
    if (operations) {
      process.stdout.write(
        `tenant isolation (${database}): ${operations.length} operations covered ` +
          `(${guarded.length} behind an API key, ${operations.length - guarded.length} public), ${requests} requests made\n`,
      );
    }
  });

  /** A's ids by parameter name, then the catalog's; an unknown name stops the suite until it is mapped. */
  function paramValue(name: string): string {
    const ownerIds: Record<string, string> = world.ownerIds;
    const value = ownerIds[name] ?? CATALOG_PARAMS[name];
    if (value === undefined) {
      throw new Error(
        `No value for the parameter "${name}": give company A one of that resource in tenant-world.ts ` +
          '(TenantWorld.ownerIds) or, if no tenant owns it, add it to CATALOG_PARAMS.',
      );
    }
    return value;
  }

  /** The operation's URL: path parameters filled, and any query parameter that takes one of A's ids. */
  function urlOf(operation: DocumentedOperation): string {
    const query = new URLSearchParams(
      operation.queryParams
        .filter((name) => name in world.ownerIds)
        .map((name): [string, string] => [name, paramValue(name)]),
    ).toString();
    return fillPath(operation.path, paramValue) + (query ? `?${query}` : '');
  }

  function jsonBodyOf(operation: DocumentedOperation): object | undefined {
    if (operation.body !== 'json') return undefined;
    const body = JSON_BODIES[operation.id];
    if (!body) throw new Error(`No request body for ${operation.id}: add one to JSON_BODIES.`);
    return body(world);
  }

  /** Everything the caller put in the request, to tell echoed input from leaked data. */
  function sentBy(operation: DocumentedOperation): string {
    return urlOf(operation) + JSON.stringify(jsonBodyOf(operation) ?? {});
  }

  /** Sends the operation's request with `key` (none: no Authorization header); only the key varies. */
  async function call(operation: DocumentedOperation, key: string | undefined): Promise<Response> {
    requests++;
    let request = api.http[operation.method](urlOf(operation));
    if (key !== undefined) request = request.set('Authorization', `Bearer ${key}`);
    if (operation.body === 'multipart') return request.attach('file', Buffer.from(DEMO_CSV), 'segment.csv');
    const body = jsonBodyOf(operation);
    return body ? request.send(body) : request;
  }

  const describeResponse = (operation: DocumentedOperation, response: Response) =>
    `${operation.id} (${operation.method.toUpperCase()} ${urlOf(operation)}): ${response.status} ${response.text.slice(0, 200)}`;

  describe('authentication', () => {
    it('lets exactly the public routes through without a key: health, metrics, the OAuth callback and its result page', () => {
      const routes = registeredRoutes(api.app);
      const documented = new Set(operations.map(routeKey));
      expect(
        routes
          .filter((route) => route.public)
          .map(routeKey)
          .sort(),
      ).toEqual(EXPECTED_PUBLIC_ROUTES);
      // The document marks the same ones as needing no key (no `security`): the docs do not lie.
      expect(
        operations
          .filter((operation) => operation.open)
          .map(routeKey)
          .sort(),
      ).toEqual(EXPECTED_PUBLIC_ROUTES.filter((route) => documented.has(route)));
      // A route left out of the document would escape this matrix: only public ones may be.
      expect(
        routes.filter((route) => !route.public && !documented.has(routeKey(route))).map(routeKey),
      ).toEqual([]);
    });

    it('serves the public routes and the docs without a key', async () => {
      const answers: Record<string, number> = {};
      for (const path of [
        '/health',
        '/docs/',
        '/docs/openapi.json',
        '/oauth/result',
        '/oauth/callback/tiktok',
        '/metrics',
      ]) {
        requests++;
        answers[path] = (await api.http.get(path)).status;
      }
      expect(answers).toEqual({
        '/health': 200,
        '/docs/': 200,
        '/docs/openapi.json': 200,
        // The result page shows a failure without an outcome; the callback redirects with one.
        '/oauth/result': 400,
        '/oauth/callback/tiktok': 303,
        '/metrics': 200,
      });
    });

    it('answers 401 on every other operation to a missing, a garbage and a revoked key', async () => {
      const credentials: Record<string, string | undefined> = {
        missing: undefined,
        garbage: `cdt_${randomBytes(32).toString('base64url')}`,
        revoked: world.revokedOwnerKey,
      };
      const mismatches: string[] = [];
      for (const operation of guarded) {
        for (const [label, key] of Object.entries(credentials)) {
          const response = await call(operation, key);
          if (response.status !== 401 || response.body.code !== 'UNAUTHENTICATED') {
            mismatches.push(`${label} key: ${describeResponse(operation, response)}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  });

  describe('company A (owner)', () => {
    it('reads every id the matrix lends, so the refusals below are about who asks', async () => {
      const bodies: string[] = [];
      const mismatches: string[] = [];
      for (const operation of guarded.filter((candidate) => candidate.method === 'get')) {
        const response = await call(operation, world.owner.apiKey);
        if (response.status !== 200) mismatches.push(describeResponse(operation, response));
        bodies.push(response.text);
      }
      expect(mismatches).toEqual([]);
      const unseen = Object.entries(world.ownerIds).filter(
        ([, id]) => !bodies.some((body) => body.includes(id)),
      );
      expect(unseen).toEqual([]);
    });
  });

  describe('company C (stranger)', () => {
    it("gets 404 on every operation that names one of A's ids, its own data elsewhere, and never A's data", async () => {
      const ownerIds = Object.values(world.ownerIds);
      const mismatches: string[] = [];
      for (const operation of guarded) {
        const sent = sentBy(operation);
        const namesOwner = ownerIds.some((id) => sent.includes(id));
        const response = await call(operation, world.stranger.apiKey);
        const expected = namesOwner ? 404 : operation.successStatus;
        if (response.status !== expected) {
          mismatches.push(`expected ${expected}: ${describeResponse(operation, response)}`);
        } else if (namesOwner && !/_NOT_FOUND$/.test(String(response.body.code))) {
          mismatches.push(`expected a *_NOT_FOUND code: ${describeResponse(operation, response)}`);
        }
        // A 404 may repeat the id the caller sent; anything else of A's is a leak.
        const leaked = [OWNER_MARKER, ...ownerIds.filter((id) => !sent.includes(id))].filter((value) =>
          response.text.includes(value),
        );
        if (leaked.length > 0)
          mismatches.push(`shows ${leaked.join(', ')}: ${describeResponse(operation, response)}`);
      }
      expect(mismatches).toEqual([]);
    });

    it("cannot register A's SQLite file, or Conduit's own database, as a data source of its own", async () => {
      const ownerFile = join(
        companySqliteFolder(api.db.env['CONDUIT_DATA_DIR'], world.owner.companyId),
        DEMO_SQLITE_PATH,
      );
      const ownFolder = companySqliteFolder(api.db.env['CONDUIT_DATA_DIR'], world.stranger.companyId);
      symlinkSync(ownerFile, join(ownFolder, 'link.sqlite'));
      const attempts = [
        relative(ownFolder, ownerFile),
        ownerFile,
        relative(ownFolder, join(api.db.env['CONDUIT_DATA_DIR'], 'conduit.sqlite')),
        'link.sqlite',
      ];
      const accepted: string[] = [];
      for (const path of attempts) {
        requests++;
        const response = await api.http
          .post('/data-sources')
          .set('Authorization', `Bearer ${world.stranger.apiKey}`)
          .send({ name: 'Borrowed file', kind: 'SQLITE', path });
        if (response.status !== 400 || response.body.details?.[0]?.field !== 'path') {
          accepted.push(`${path}: ${response.status} ${response.text.slice(0, 200)}`);
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('company B (grantee)', () => {
    it('has an expectation for every operation behind a key', () => {
      expect(Object.keys(GRANTEE_EXPECTS).sort()).toEqual(guarded.map((operation) => operation.id).sort());
    });

    it('gets exactly what the docs grant: the shared destination to read and resolve, nothing else of A', async () => {
      const { authorizationId, dataSourceId, segmentId, apiKeyId, shareId, exportId } = world.ownerIds;
      // What sharing never hands over: A's other resources and the locked value A did not make visible.
      const neverShown = {
        authorizationId,
        dataSourceId,
        segmentId,
        apiKeyId,
        shareId,
        exportId,
        hidden: world.hiddenValue,
      };
      const mismatches: string[] = [];
      for (const operation of guarded) {
        const expected = GRANTEE_EXPECTS[operation.id];
        if (!expected) continue; // reported by the test above
        const [status, code] = expected;
        const response = await call(operation, world.grantee.apiKey);
        if (response.status !== status || (code !== undefined && response.body.code !== code)) {
          mismatches.push(
            `expected ${status}${code ? ` ${code}` : ''}: ${describeResponse(operation, response)}`,
          );
        }
        if (response.status < 300) {
          const leaked = Object.entries(neverShown).filter(([, value]) => response.text.includes(value));
          if (leaked.length > 0) {
            mismatches.push(
              `shows ${leaked.map(([name]) => name).join(', ')}: ${describeResponse(operation, response)}`,
            );
          }
        }
      }
      expect(mismatches).toEqual([]);
    });

    it('sees the shared destination as a grantee, and resolves it without its hidden fields', async () => {
      const { destinationId, collaborationId } = world.ownerIds;
      requests += 2;
      const read = await api.http
        .get(`/destinations/${destinationId}`)
        .set('Authorization', `Bearer ${world.grantee.apiKey}`)
        .expect(200);
      expect(read.body).toMatchObject({ id: destinationId, role: 'GRANTEE', authorizationId: null });
      expect(read.body.sharedIn).toEqual([collaborationId]);
      const resolved = await api.http
        .post(`/destinations/${destinationId}/resolve`)
        .set('Authorization', `Bearer ${world.grantee.apiKey}`)
        .send({ collaborationId, overrides: { audienceName: 'Globex spring buyers' } })
        .expect(200);
      expect(resolved.body).toEqual({
        destinationId,
        config: { audienceName: 'Globex spring buyers' },
        hiddenFields: expect.arrayContaining(['advertiserId', 'action']),
      });
    });
  });
});
