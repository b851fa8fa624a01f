import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { companySqliteFolder, JobRunner } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import Database from 'libsql';
import { bearer, type ApiHarness } from './api-harness';
import { ADVERTISERS, connectTikTok } from './tiktok-world';

/** In the name of everything A owns, so a body that shows any of it to another company is caught. */
export const OWNER_MARKER = 'Acme-Private';

/** A SQLite data source's file, relative to its company's folder (see `writeDemoSqlite`). */
export const DEMO_SQLITE_PATH = 'crm.sqlite';

/** A small CSV an upload segment can materialize. */
export const DEMO_CSV = 'email,country\nada@example.com,FR\nbob@example.com,DE\n';

export interface TenantWorld {
  /** A: owns one of every resource. */
  owner: SeededCompany;
  /** B: a member of A's collaboration, with A's destination shared to it there. */
  grantee: SeededCompany;
  /** C: no relation to A. */
  stranger: SeededCompany;
  /** A's ids by the path-parameter name that takes them. */
  ownerIds: {
    apiKeyId: string;
    collaborationId: string;
    companyId: string;
    authorizationId: string;
    destinationId: string;
    shareId: string;
    dataSourceId: string;
    segmentId: string;
    exportId: string;
  };
  /** A key of A's, revoked: it must open nothing, not even A's own resources. */
  revokedOwnerKey: string;
  /** A locked destination value the owner did not make visible: a grantee must never see it. */
  hiddenValue: string;
}

/**
 * Company A with an API key, a collaboration (B a member), a TikTok authorization connected through
 * the emulator, a destination shared with B in that collaboration, a SQLite data source, a READY
 * upload segment and an export of it; company B (the grantee) and company C (a stranger). Everything goes through the API.
 */
export async function buildTenantWorld(api: ApiHarness, tiktok: RunningEmulator): Promise<TenantWorld> {
  const owner = await api.seedCompany(`Acme ${OWNER_MARKER}`);
  const grantee = await api.seedCompany('Globex');
  const stranger = await api.seedCompany('Initech');
  const as = (path: string, method: 'post' | 'put' = 'post') =>
    api.http[method](path).set(bearer(owner.apiKey));

  const apiKey = await as('/api-keys')
    .send({ name: `${OWNER_MARKER} key` })
    .expect(201);
  const revoked = await as('/api-keys')
    .send({ name: `${OWNER_MARKER} old key` })
    .expect(201);
  await as(`/api-keys/${revoked.body.id}/revoke`).expect(200);

  const collaboration = await as('/collaborations')
    .send({ name: `${OWNER_MARKER} collaboration`, memberCompanyIds: [grantee.companyId] })
    .expect(201);
  const collaborationId = collaboration.body.id as string;

  const authorizationId = await connectTikTok(api, tiktok, owner, `${OWNER_MARKER} TikTok`);
  // Not the first advertiser: that one is the provider field's documented example, public to all.
  const advertiser = ADVERTISERS[1];
  const destination = await as('/destinations')
    .send({
      name: `${OWNER_MARKER} destination`,
      provider: 'tiktok',
      authorizationId,
      config: { advertiserId: advertiser.advertiserId, audienceName: 'Spring sale buyers', action: 'Create' },
      editableFields: ['audienceName'],
      visibleFields: [],
    })
    .expect(201);
  const destinationId = destination.body.id as string;
  const share = await as(`/destinations/${destinationId}/shares`)
    .send({ collaborationId, companyId: grantee.companyId })
    .expect(201);

  // Each company gets its own file: the grantee and the stranger register data sources of their own.
  for (const company of [owner, grantee, stranger]) writeDemoSqlite(api, company.companyId);
  const dataSource = await as('/data-sources')
    .send({ name: `${OWNER_MARKER} CRM`, kind: 'SQLITE', path: DEMO_SQLITE_PATH })
    .expect(201);

  const segment = await as(`/collaborations/${collaborationId}/segments`)
    .send({
      name: `${OWNER_MARKER} segment`,
      source: { type: 'upload' },
      keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
    })
    .expect(201);
  const segmentId = segment.body.id as string;
  await as(`/collaborations/${collaborationId}/segments/${segmentId}/upload`, 'put')
    .attach('file', Buffer.from(DEMO_CSV), 'segment.csv')
    .expect(202);
  await api.app.get(JobRunner).idle();
  const exported = await as(`/collaborations/${collaborationId}/segments/${segmentId}/exports`)
    .send({ destinationId, overrides: { audienceName: 'Matrix export audience' } })
    .expect(202);
  await api.app.get(JobRunner).idle();

  return {
    owner,
    grantee,
    stranger,
    ownerIds: {
      apiKeyId: apiKey.body.id,
      collaborationId,
      companyId: owner.companyId,
      authorizationId,
      destinationId,
      shareId: share.body.id,
      dataSourceId: dataSource.body.id,
      segmentId,
      exportId: exported.body.id,
    },
    revokedOwnerKey: revoked.body.secret,
    hiddenValue: advertiser.advertiserId,
  };
}

/** A SQLite database with a `customers` table at DEMO_SQLITE_PATH in the company's folder. */
export function writeDemoSqlite(api: ApiHarness, companyId: string): void {
  const folder = companySqliteFolder(api.db.env['CONDUIT_DATA_DIR'], companyId);
  mkdirSync(folder, { recursive: true });
  const db = new Database(join(folder, DEMO_SQLITE_PATH), {});
  try {
    db.exec('CREATE TABLE IF NOT EXISTS customers (email TEXT, country TEXT)');
    db.exec('DELETE FROM customers');
    const insert = db.prepare('INSERT INTO customers VALUES (?, ?)');
    insert.run('ada@example.com', 'FR');
    insert.run('bob@example.com', 'DE');
  } finally {
    db.close();
  }
}
