import { randomBytes } from 'node:crypto';
import { InvalidEnvironmentError } from '@conduit/config';
import { ApiKeyService, UnitOfWork } from '@conduit/domain';
import { recordFigures } from '@conduit/domain/testing';
import type { Response } from 'supertest';
import { AppModule } from '../src/app.module';
import { bearer, bootApi, type ApiHarness } from './api-harness';

// Per-API-key rate limits: one budget per key across every route, shared by every API process through
// Redis (REDIS_URL), 429 RATE_LIMITED with Retry-After over it. The windows are a minute long, so no
// assertion depends on when a second starts.

const redisUrl = process.env['REDIS_URL'];
if (!redisUrl)
  console.warn('Rate limits across API processes SKIPPED: set REDIS_URL=redis://127.0.0.1:6379.');

const PER_MINUTE = 5;
const figures: Record<string, string | number> = {};

const limited = (perMinute: number, extra: Record<string, string> = {}) => ({
  env: { API_RATE_LIMIT_PER_SECOND: '0', API_RATE_LIMIT_PER_MINUTE: String(perMinute), ...extra },
});

async function secondKey(api: ApiHarness, companyId: string): Promise<string> {
  return api.app
    .get(UnitOfWork)
    .run(async () => (await api.app.get(ApiKeyService).create(companyId, 'second key')).secret);
}

function expectRateLimited(response: Response, limit: number): number {
  expect(response.status).toBe(429);
  expect(response.body).toMatchObject({
    statusCode: 429,
    error: 'Too Many Requests',
    code: 'RATE_LIMITED',
    message: expect.stringMatching(new RegExp(`more than ${limit} requests in a minute; retry in \\d+ s`)),
    requestId: expect.any(String),
  });
  const retryAfter = String(response.headers['retry-after']);
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  expect(response.headers).toMatchObject({ 'ratelimit-limit': String(limit), 'ratelimit-remaining': '0' });
  return Number(retryAfter);
}

describe('per-API-key rate limits', () => {
  afterAll(() => {
    if (Object.keys(figures).length > 0) recordFigures('API rate limits', figures);
  });

  describe('in one API process', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await bootApi(limited(PER_MINUTE));
    });
    afterAll(async () => {
      await api?.close();
    });

    it('answers 429 RATE_LIMITED with Retry-After past the limit; other keys, of the same company or not, go on', async () => {
      const first = await api.seedCompany('Busy Co');
      const sameCompany = await secondKey(api, first.companyId);
      const other = await api.seedCompany('Quiet Co');
      const remaining: string[] = [];
      for (let index = 0; index < PER_MINUTE; index++) {
        const answer = await api.http.get('/companies/me').set(bearer(first.apiKey)).expect(200);
        expect(answer.headers['ratelimit-limit']).toBe(String(PER_MINUTE));
        expect(answer.headers['retry-after']).toBeUndefined();
        remaining.push(String(answer.headers['ratelimit-remaining']));
        expect(Number(answer.headers['ratelimit-reset'])).toBeGreaterThan(0);
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      // Every route draws on the same budget: another operation is refused too.
      const refused = await api.http.get('/companies/me').set(bearer(first.apiKey));
      const retryAfter = expectRateLimited(refused, PER_MINUTE);
      expectRateLimited(await api.http.get('/collaborations').set(bearer(first.apiKey)), PER_MINUTE);
      figures['requests answered before the 429'] = PER_MINUTE;
      figures['Retry-After (s)'] = retryAfter;

      // Another key of the same company, and another company's key, have budgets of their own.
      const sibling = await api.http.get('/companies/me').set(bearer(sameCompany)).expect(200);
      expect(sibling.headers['ratelimit-remaining']).toBe(String(PER_MINUTE - 1));
      const stranger = await api.http.get('/companies/me').set(bearer(other.apiKey)).expect(200);
      expect(stranger.headers['ratelimit-remaining']).toBe(String(PER_MINUTE - 1));
    });

    it('does not count public routes or unauthenticated requests', async () => {
      for (let index = 0; index < PER_MINUTE + 2; index++) {
        const health = await api.http.get('/health');
        expect(health.status).toBe(200);
        expect(health.headers['ratelimit-limit']).toBeUndefined();
      }
      const anonymous = await api.http.get('/companies/me').expect(401);
      expect(anonymous.body.code).toBe('UNAUTHENTICATED');
      expect(anonymous.headers['ratelimit-limit']).toBeUndefined();
    });

    it('counts an upload once, however large its body', async () => {
      const company = await api.seedCompany('Uploader Co');
      const collaboration = await api.http
        .post('/collaborations')
        .set(bearer(company.apiKey))
        .send({ name: 'Uploads' })
        .expect(201);
      const segments = `/collaborations/${collaboration.body.id}/segments`;
      const segment = await api.http
        .post(segments)
        .set(bearer(company.apiKey))
        .send({
          name: 'Large upload',
          source: { type: 'upload' },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      expect(segment.headers['ratelimit-remaining']).toBe(String(PER_MINUTE - 2));
      const csv = ['email', ...Array.from({ length: 100_000 }, (_, index) => `u${index}@example.com`)];
      const body = Buffer.from(csv.join('\n'));
      const upload = await api.http
        .put(`${segments}/${segment.body.id}/upload`)
        .set(bearer(company.apiKey))
        .attach('file', body, 'segment.csv')
        .expect(202);
      expect(upload.headers['ratelimit-remaining']).toBe(String(PER_MINUTE - 3));
      figures['upload counted as (requests)'] = 1;
      figures['upload size (MB)'] = Math.round((body.length / 1024 / 1024) * 10) / 10;
    });
  });

  (redisUrl ? describe : describe.skip)('across API processes (Redis)', () => {
    let first: ApiHarness;
    let second: ApiHarness;
    beforeAll(async () => {
      const shared = {
        REDIS_URL: redisUrl as string,
        CONDUIT_QUEUE_PREFIX: `rl-${randomBytes(4).toString('hex')}`,
      };
      first = await bootApi(limited(6, shared));
      second = await bootApi({ ...limited(6, shared), db: first.db });
    });
    afterAll(async () => {
      await second?.close();
      await first?.close();
    });

    it('shares one budget per key between two API instances on the same Redis and prefix', async () => {
      const company = await first.seedCompany('Two-door Co');
      const remaining: string[] = [];
      for (let index = 0; index < 6; index++) {
        const api = index % 2 === 0 ? first : second;
        const answer = await api.http.get('/companies/me').set(bearer(company.apiKey)).expect(200);
        remaining.push(String(answer.headers['ratelimit-remaining']));
      }
      expect(remaining).toEqual(['5', '4', '3', '2', '1', '0']);
      expectRateLimited(await second.http.get('/companies/me').set(bearer(company.apiKey)), 6);
      expectRateLimited(await first.http.get('/companies/me').set(bearer(company.apiKey)), 6);
      const other = await first.seedCompany('Other Co');
      await second.http.get('/companies/me').set(bearer(other.apiKey)).expect(200);
      figures['API instances sharing one budget'] = 2;
    });
  });

  describe('configuration', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });

    it('refuses to boot with a bad limit, naming each variable', async () => {
      Object.assign(process.env, {
        API_RATE_LIMIT_PER_SECOND: '-1',
        API_RATE_LIMIT_PER_MINUTE: 'lots',
        SHUTDOWN_GRACE_SECONDS: '0',
        DATABASE_URL: '',
      });
      const error = (await AppModule.forRoot({ envFile: false }).catch(
        (caught: unknown) => caught,
      )) as InvalidEnvironmentError;
      expect(error).toBeInstanceOf(InvalidEnvironmentError);
      expect([...error.problems].sort()).toEqual([
        'API_RATE_LIMIT_PER_MINUTE: must be a whole number of requests per minute from 0 (no limit) to 6000000 (got "lots")',
        'API_RATE_LIMIT_PER_SECOND: must be a whole number of requests per second from 0 (no limit) to 100000 (got -1)',
        'SHUTDOWN_GRACE_SECONDS: must be a whole number of seconds from 1 to 3600 (got 0)',
      ]);
    });

    it('takes 0 as off and applies the defaults when unset', async () => {
      Object.assign(process.env, {
        API_RATE_LIMIT_PER_SECOND: '0',
        API_RATE_LIMIT_PER_MINUTE: '',
        DATABASE_URL: '',
      });
      await expect(AppModule.forRoot({ envFile: false })).resolves.toBeDefined();
    });
  });
});
