import { Writable } from 'node:stream';
import {
  Authorization,
  AuthorizationService,
  AuthorizationStatus,
  generateEncryptionKeySpec,
  UnitOfWork,
} from '@conduit/domain';
import {
  createTestDatabase,
  seedCompany,
  type SeededCompany,
  type TestDatabase,
} from '@conduit/domain/testing';
import { DestinationRegistry, type DestinationProvider } from '@conduit/destinations-core';
import {
  DEFAULT_EMULATOR_OPTIONS,
  startTikTokEmulator,
  type RunningEmulator,
} from '@conduit/tiktok-emulator';
import { EntityManager } from '@mikro-orm/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthorizationHealthJob } from '../src/jobs/authorization-health.job';
import { SchedulerModule } from '../src/scheduler.module';

const CALLBACK = 'http://conduit.test/oauth/callback/tiktok';
const APP = { ...DEFAULT_EMULATOR_OPTIONS.apps[0], redirectUris: [CALLBACK] };

describe(`authorization health job (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let db: TestDatabase;
  let tiktok: RunningEmulator;
  let app: INestApplicationContext;
  let company: SeededCompany;
  const logs: string[] = [];

  beforeAll(async () => {
    tiktok = await startTikTokEmulator({ apps: [APP] });
    db = await createTestDatabase();
    Object.assign(process.env, db.env, {
      SCHEDULER_HEARTBEAT_SECONDS: '3600',
      AUTHORIZATION_HEALTH_CHECK_MINUTES: '60',
      CONDUIT_ENCRYPTION_KEYS: generateEncryptionKeySpec('test'),
      TIKTOK_APP_ID: APP.appId,
      TIKTOK_APP_SECRET: APP.secret,
      TIKTOK_API_BASE_URL: tiktok.apiBaseUrl,
      TIKTOK_AUTHORIZE_URL: `${tiktok.url}/portal/auth`,
      LOG_LEVEL: 'debug',
    });
    const logStream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    const moduleRef = await Test.createTestingModule({
      imports: [await SchedulerModule.forRoot({ envFile: false, logStream })],
    }).compile();
    app = await moduleRef.init();
    company = await seedCompany(app, 'Acme');
  });

  afterAll(async () => {
    await app?.close();
    await db?.destroy();
    await tiktok?.close();
  });

  const service = () => app.get(AuthorizationService);
  const inUnit = <T>(work: () => Promise<T>) => app.get(UnitOfWork).run(work);

  /** A real consent against the emulator, through the domain's own OAuth steps. */
  async function connect(name: string): Promise<{ id: string; accessToken: string }> {
    const started = await inUnit(() =>
      service().create(
        { companyId: company.companyId, apiKeyId: company.apiKeyId },
        { name, provider: 'tiktok' },
        CALLBACK,
      ),
    );
    const state = new URL(started.authorizeUrl).searchParams.get('state') as string;
    const back = await tiktok.confirmConsent({ state, redirectUri: CALLBACK });
    const accepted = await inUnit(() => service().acceptCallbackState('tiktok', state));
    const provider = app.get(DestinationRegistry).find('tiktok');
    const grant = await (provider as DestinationProvider).authorization.exchangeCode({
      code: back.searchParams.get('auth_code') as string,
      redirectUri: CALLBACK,
    });
    await inUnit(() => service().completeCallback(accepted, grant));
    return { id: started.authorization.id, accessToken: grant.credentials['accessToken'] };
  }

  const load = (id: string) => inUnit(() => service().get(company.companyId, id));

  it('marks a revoked token REVOKED with the reason, keeps a healthy one AUTHENTICATED', async () => {
    const healthy = await connect('Healthy');
    const revoked = await connect('Revoked at TikTok');
    tiktok.emulator.revokeTokens({ accessToken: revoked.accessToken });
    // Both were checked at consent; make them due.
    const job = app.get(AuthorizationHealthJob);
    await app
      .get(EntityManager)
      .fork()
      .nativeUpdate(Authorization, { id: { $in: [healthy.id, revoked.id] } }, { lastCheckedAt: null });

    const outcomes = await job.run();
    expect(outcomes).toEqual(
      expect.arrayContaining([
        { authorizationId: healthy.id, status: AuthorizationStatus.AUTHENTICATED },
        expect.objectContaining({ authorizationId: revoked.id, status: AuthorizationStatus.REVOKED }),
      ]),
    );
    const after = await load(revoked.id);
    expect(after.status).toBe(AuthorizationStatus.REVOKED);
    expect(after.lastErrorCode).toBe('CREDENTIALS_REFUSED');
    expect(after.lastErrorMessage).toMatch(/TikTok refused the access token.*re-authorize/s);
    const fine = await load(healthy.id);
    expect(fine.status).toBe(AuthorizationStatus.AUTHENTICATED);
    expect(fine.accounts.map((account) => account.id)).toEqual(
      DEFAULT_EMULATOR_OPTIONS.advertisers.map((advertiser) => advertiser.advertiserId),
    );
    expect(fine.lastCheckedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);

    // Nothing is due any more: a second run checks nothing.
    expect(await job.run()).toEqual([]);
    expect(logs.join('\n')).not.toContain(revoked.accessToken);
    expect(logs.join('\n')).not.toContain(healthy.accessToken);
    expect(logs.join('\n')).not.toContain(APP.secret);
  });
});
