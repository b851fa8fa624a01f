import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ExportRunner, JobRunner, UnitOfWork } from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import Database from 'libsql';
import { DEMO_CRM_FILE, writeDemoCrm } from '../src/cli/demo-crm';
import { bootApi, type ApiHarness } from './api-harness';
import { contractCheckedFetch, OpenApiContract } from './openapi-contract';
import { ADVERTISERS, CALLBACK, startEmulator, tiktokEnv } from './tiktok-world';
import type { WalkthroughResult, World } from './typed-client/world';

const root = join(__dirname, '..', '..', '..');
const here = join(__dirname, 'typed-client');

/**
 * A client generated from the committed contract (openapi-typescript + openapi-fetch, generated here,
 * not committed) must compile and drive the README walkthrough against the running API, every answer
 * checked against the contract: what a user scripting Conduit in TypeScript meets.
 */
describe(`a typed client generated from openapi.json (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  let owner: SeededCompany;
  let partner: SeededCompany;
  let baseUrl: string;
  const contract = OpenApiContract.load();

  beforeAll(async () => {
    tiktok = await startEmulator({
      minValidAudienceSize: 1,
      minAudienceSizeAfterUpdate: 1,
      processingDelayMs: 0,
    });
    api = await bootApi({ env: tiktokEnv(tiktok) });
    [owner, partner] = [
      await api.seedCompany('Walkthrough Owner'),
      await api.seedCompany('Walkthrough Partner'),
    ];
    await new Promise<void>((resolve) => api.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await tiktok?.close();
  });

  it('generates from the committed contract and compiles the walkthrough with tsc --noEmit', () => {
    execFileSync(process.execPath, [join(here, 'generate.mjs')], { cwd: root, stdio: 'pipe' });
    try {
      execFileSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')],
        {
          cwd: root,
          stdio: 'pipe',
          encoding: 'utf8',
        },
      );
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`The walkthrough does not compile against the generated client:\n${stdout}${stderr}`);
    }
  }, 120_000);

  it('drives the walkthrough: authorize, collaborate, share, CSV and SQL segments, export', async () => {
    // Loaded by a path tsc does not follow: the walkthrough compiles only against the client types the
    // first test generates (gitignored), so the project's own typecheck must not reach it on a clean clone.
    const walkthroughModule = './typed-client/walkthrough';
    const { walkthrough } = (await import(walkthroughModule)) as {
      walkthrough: (world: World) => Promise<WalkthroughResult>;
    };
    // The demo company's CRM, as npm start writes it (5,000 customers, some values invalid).
    const folder = join(api.db.env['CONDUIT_DATA_DIR'] as string, 'data-sources', owner.companyId);
    mkdirSync(folder, { recursive: true });
    writeDemoCrm(join(folder, DEMO_CRM_FILE));
    const crm = new Database(join(folder, DEMO_CRM_FILE), { readonly: true });
    const optedIn = (crm.prepare('SELECT count(*) AS n FROM customers WHERE opted_in').get() as { n: number })
      .n;
    crm.close();

    const checkedFetch = contractCheckedFetch(contract);
    const world: World = {
      baseUrl,
      fetch: checkedFetch,
      owner: { apiKey: owner.apiKey },
      partner: { apiKey: partner.apiKey, companyId: partner.companyId },
      advertiserId: ADVERTISERS[0]?.advertiserId as string,
      crmFile: DEMO_CRM_FILE,
      consent: async (authorizeUrl) => {
        const callback = await tiktok.confirmConsent({
          state: new URL(authorizeUrl).searchParams.get('state') as string,
          redirectUri: CALLBACK,
        });
        return `${callback.pathname}${callback.search}`;
      },
      settle: async () => {
        await api.app.get(JobRunner).idle();
        await api.app.get(UnitOfWork).run(() => api.app.get(ExportRunner).maintain());
        await api.app.get(JobRunner).idle();
      },
    };

    const result = await walkthrough(world);
    expect(result).toEqual({
      authorizationStatus: 'AUTHENTICATED',
      csvSegment: { status: 'READY', rowCount: 50 },
      sqlSegment: { status: 'READY', rowCount: expect.any(Number), keyQuality: expect.any(Object) },
      // The partner sees the editable fields it set; the locked advertiser stays hidden.
      resolvedByPartner: { audienceName: 'Partner walkthrough buyers', action: 'Create' },
      export: { status: 'COMPLETED', uploaded: 50 },
    });
    // One row per opted-in customer; the CRM's malformed emails and phones show before any export.
    expect(result.sqlSegment.rowCount).toBe(optedIn);
    for (const column of ['email', 'phone']) {
      expect(result.sqlSegment.keyQuality[column]).toEqual({
        valid: expect.any(Number),
        invalid: expect.any(Number),
      });
      expect(result.sqlSegment.keyQuality[column]?.invalid).toBeGreaterThan(0);
      expect(result.sqlSegment.keyQuality[column]?.valid).toBeGreaterThan(0);
    }
  }, 120_000);
});
