import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { SeededCompany } from '@conduit/domain/testing';
import { bearer, bootApi, type ApiHarness } from './api-harness';
import { contractCheckedFetch } from './openapi-contract';

const sqlite = !process.env['DATABASE_URL'];
if (!sqlite) console.warn('SQLite concurrency spec SKIPPED: it runs on the embedded database only');

/**
 * The embedded database is one file the API and the scheduler both write. A second process holding
 * the write lock for a moment must make requests wait, never answer 500 "database is locked", and
 * the failing SQL of a 500 must never reach a log with its values.
 */
(sqlite ? describe : describe.skip)('SQLite under concurrent writers', () => {
  let api: ApiHarness;
  let acme: SeededCompany;
  let url: string;

  beforeAll(async () => {
    api = await bootApi();
    acme = await api.seedCompany('Acme');
    // 50 connections at once on a real listening socket, as clients would open them.
    await api.app.listen(0, '127.0.0.1');
    url = (await api.app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers 50 concurrent requests while another process holds the write lock', async () => {
    const file = join(api.db.env['CONDUIT_DATA_DIR'], 'conduit.sqlite');
    // Another process (as the scheduler is) takes the write lock for a second. The driver is
    // synchronous, so the holder must not be this process: a request waiting here would block it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require(${JSON.stringify(require.resolve('libsql'))}))(${JSON.stringify(file)});
         db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(holder, 'exit');
    await once(holder.stdout, 'data');
    const headers = { ...bearer(acme.apiKey), 'content-type': 'application/json' };
    // Each answer, however long it waited for the lock, must still be one the contract documents.
    const checkedFetch = contractCheckedFetch();
    const requests = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? checkedFetch(`${url}/api-keys`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ name: `key ${i}` }),
          })
        : checkedFetch(`${url}/companies/me`, { headers }),
    );
    const statuses = (await Promise.all(requests)).map((response) => response.status);
    await exited;
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([200, 201]));
    expect(api.logs.join('\n')).not.toMatch(/database is locked/);
  });
});
