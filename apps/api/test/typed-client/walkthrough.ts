import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.generated';
import type { WalkthroughResult, World } from './world';

/**
 * The README walkthrough as a script written against a client generated from the committed contract
 * (openapi-typescript + openapi-fetch): typed-client.e2e-spec.ts type-checks this file with tsc against
 * freshly generated types, then runs it against the running API. Every call below compiles only if
 * the contract describes it; every answer is checked against the contract by the spec's fetch.
 */
const ok = <T>(answer: { data?: T; error?: unknown; response: Response }, what: string): T => {
  if (answer.data === undefined) {
    throw new Error(`${what}: ${answer.response.status} ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
};

export async function walkthrough(world: World): Promise<WalkthroughResult> {
  const client = (apiKey: string): Client<paths> =>
    createClient<paths>({
      baseUrl: world.baseUrl,
      fetch: world.fetch,
      headers: { Authorization: `Bearer ${apiKey}` },
    });
  const owner = client(world.owner.apiKey);
  const partner = client(world.partner.apiKey);

  // 1. Connect a TikTok account: the API answers where to send the browser; the callback completes it.
  const started = ok(
    await owner.POST('/authorizations', { body: { name: 'Walkthrough TikTok', provider: 'tiktok' } }),
    'create authorization',
  );
  if (!started.authorizeUrl) throw new Error('a new authorization has an authorizeUrl');
  const callback = await world.consent(started.authorizeUrl);
  const redirected = await world.fetch(new URL(callback, world.baseUrl), { redirect: 'manual' });
  const outcome = new URL(redirected.headers.get('location') ?? '', world.baseUrl).searchParams;
  const authorization = ok(
    await owner.GET('/authorizations/{authorizationId}', {
      params: { path: { authorizationId: started.id } },
    }),
    'read authorization',
  );
  if (outcome.get('status') !== authorization.status) {
    throw new Error(`the callback said ${outcome.get('status')}, the API says ${authorization.status}`);
  }

  // 2. A collaboration with the partner, a destination, shared with the partner in it.
  const collaboration = ok(
    await owner.POST('/collaborations', {
      body: { name: 'Walkthrough x Partner', memberCompanyIds: [world.partner.companyId] },
    }),
    'create collaboration',
  );
  const destination = ok(
    await owner.POST('/destinations', {
      body: {
        name: 'TikTok walkthrough',
        provider: 'tiktok',
        authorizationId: authorization.id,
        config: { advertiserId: world.advertiserId, audienceName: 'Walkthrough buyers', action: 'Create' },
        editableFields: ['audienceName', 'action'],
      },
    }),
    'create destination',
  );
  ok(
    await owner.POST('/destinations/{destinationId}/shares', {
      params: { path: { destinationId: destination.id } },
      body: { collaborationId: collaboration.id, companyId: world.partner.companyId },
    }),
    'share destination',
  );
  const resolved = ok(
    await partner.POST('/destinations/{destinationId}/resolve', {
      params: { path: { destinationId: destination.id } },
      body: {
        collaborationId: collaboration.id,
        overrides: { audienceName: 'Partner walkthrough buyers', action: 'Create' },
      },
    }),
    'resolve as the partner',
  );

  // 3. A segment from a CSV upload (multipart, a Blob part), and one from SQL on a data source.
  const segments = { params: { path: { collaborationId: collaboration.id } } };
  const csvSegment = ok(
    await owner.POST('/collaborations/{collaborationId}/segments', {
      ...segments,
      body: {
        name: 'Walkthrough CSV',
        source: { type: 'upload' },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      },
    }),
    'create CSV segment',
  );
  const csv = ['email', ...Array.from({ length: 50 }, (_, index) => `buyer${index}@example.com`)].join('\n');
  const segmentPath = { collaborationId: collaboration.id, segmentId: csvSegment.id };
  ok(
    await owner.PUT('/collaborations/{collaborationId}/segments/{segmentId}/upload', {
      params: { path: segmentPath },
      body: { file: new Blob([csv], { type: 'text/csv' }) },
      bodySerializer: (body) => {
        const form = new FormData();
        form.append('file', body.file, 'buyers.csv');
        return form;
      },
    }),
    'upload CSV',
  );
  const dataSource = ok(
    await owner.POST('/data-sources', {
      body: { name: 'Walkthrough CRM', kind: 'SQLITE', path: world.crmFile },
    }),
    'register data source',
  );
  const sqlSegment = ok(
    await owner.POST('/collaborations/{collaborationId}/segments', {
      ...segments,
      body: {
        name: 'Walkthrough SQL',
        source: {
          type: 'sql',
          dataSourceId: dataSource.id,
          query: 'SELECT email, phone FROM customers WHERE opted_in',
        },
        keyColumns: [
          { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
          { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
        ],
      },
    }),
    'create SQL segment',
  );
  await world.settle();
  const readSegment = async (segmentId: string) =>
    ok(
      await owner.GET('/collaborations/{collaborationId}/segments/{segmentId}', {
        params: { path: { collaborationId: collaboration.id, segmentId } },
      }),
      'read segment',
    );
  const [csvReady, sqlReady] = [await readSegment(csvSegment.id), await readSegment(sqlSegment.id)];
  ok(
    await owner.GET('/collaborations/{collaborationId}/segments/{segmentId}/rows', {
      params: { path: segmentPath, query: { limit: 5 } },
    }),
    'preview rows',
  );

  // 4. Export the CSV segment to the destination, and follow it to the end.
  const startedExport = ok(
    await owner.POST('/collaborations/{collaborationId}/segments/{segmentId}/exports', {
      params: { path: segmentPath },
      headers: { 'Idempotency-Key': 'walkthrough-export-1' },
      body: { destinationId: destination.id, overrides: { audienceName: 'Walkthrough buyers' } },
    }),
    'start export',
  );
  await world.settle();
  const finished = ok(
    await owner.GET('/exports/{exportId}', { params: { path: { exportId: startedExport.id } } }),
    'read export',
  );
  ok(
    await owner.GET('/exports/{exportId}/events', { params: { path: { exportId: startedExport.id } } }),
    'export events',
  );
  ok(
    await owner.GET('/destinations/{destinationId}/exports', {
      params: { path: { destinationId: destination.id }, query: { limit: 10 } },
    }),
    'destination exports',
  );

  return {
    authorizationStatus: authorization.status,
    csvSegment: { status: csvReady.status, rowCount: csvReady.rowCount },
    sqlSegment: {
      status: sqlReady.status,
      rowCount: sqlReady.rowCount,
      keyQuality: Object.fromEntries(
        (sqlReady.keyQuality ?? []).map(({ column, valid, invalid }) => [column, { valid, invalid }]),
      ),
    },
    resolvedByPartner: resolved.config,
    export: { status: finished.status, uploaded: finished.counts?.uploaded },
  };
}
