import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  createTestDatabase,
  seedCompany,
  type SeededCompany,
  type TestDatabase,
} from '@conduit/domain/testing';
import {
  BullMqJobRunner,
  Clock,
  defaultJobConcurrency,
  ExportRunner,
  generateEncryptionKeySpec,
  redisConnection,
  SegmentMaterializer,
  UnitOfWork,
} from '@conduit/domain';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../src/app.module';
import { configureApp, HTTP_APP_OPTIONS } from '../src/configure-app';
import { OpenApiContract } from './openapi-contract';

/** A clock specs move forward (expiry windows, schedules); pass it as `bootApi({ clock })`. */
export class MovableClock extends Clock {
  offsetMs = 0;
  private frozenAt: Date | undefined;
  override now(): Date {
    return this.frozenAt ? new Date(this.frozenAt.getTime()) : new Date(Date.now() + this.offsetMs);
  }
  /** Stops the clock at `at` (boundaries to the millisecond), ignoring `offsetMs`; `undefined` lets it run. */
  freeze(at: Date | undefined): void {
    this.frozenAt = at;
  }
}

export interface BootOptions {
  /** Extra environment variables (e.g. the TikTok app pointing at an emulator); '' means unset. */
  env?: Record<string, string>;
  /** Replaces the domain's clock (expiry specs). */
  clock?: Clock;
  /** Boot on this database (kept on close) instead of a fresh one, e.g. to restart with new keys. */
  db?: TestDatabase;
  /**
   * `bullmq`: when REDIS_URL is set, the API enqueues on BullMQ (a queue prefix of its own) and a
   * worker in this process runs the jobs, as a scheduler would; without REDIS_URL, jobs run in process.
   */
  jobs?: 'in-process' | 'bullmq';
}

/** The queue a suite booted with `jobs: 'bullmq'` runs on, for its title. */
export const jobsLabel = (jobs: BootOptions['jobs']) =>
  jobs === 'bullmq' && process.env['REDIS_URL'] ? 'BullMQ' : 'in-process jobs';

export interface ApiHarness {
  app: NestExpressApplication;
  db: TestDatabase;
  http: TestAgent;
  /** Every log line the app wrote, to assert that no secret ever reaches the logs. */
  logs: string[];
  seedCompany(name?: string): Promise<SeededCompany>;
  close(): Promise<void>;
}

/**
 * Boots the real API (AppModule, global guard, pipe and filter, Swagger) on a fresh database: SQLite by
 * default, PostgreSQL when DATABASE_URL is set. Requests go through supertest, in process.
 */
export async function bootApi(options: BootOptions = {}): Promise<ApiHarness> {
  const db = options.db ?? (await createTestDatabase());
  const redisUrl = options.jobs === 'bullmq' ? process.env['REDIS_URL'] : undefined;
  const prefix = `conduit-spec-${randomBytes(4).toString('hex')}`;
  // The app reads its configuration from process.env; what this boot sets is undone on close.
  const savedEnv = { ...process.env };
  Object.assign(
    process.env,
    db.env,
    {
      LOG_LEVEL: 'debug',
      CONDUIT_ENCRYPTION_KEYS: generateEncryptionKeySpec('test'),
      // Jobs run in this process unless the suite asks for BullMQ.
      REDIS_URL: redisUrl ?? '',
      ...(redisUrl ? { CONDUIT_QUEUE_PREFIX: prefix } : {}),
      // Per-key rate limits off: suites send bursts; the rate-limit suite sets its own.
      API_RATE_LIMIT_PER_SECOND: '0',
      API_RATE_LIMIT_PER_MINUTE: '0',
    },
    options.env,
  );
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const builder = Test.createTestingModule({
    imports: [await AppModule.forRoot({ envFile: false, logStream })],
  });
  if (options.clock) builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    ...HTTP_APP_OPTIONS,
    bufferLogs: true,
  });
  configureApp(app);
  await app.init();
  let worker: BullMqJobRunner | undefined;
  if (redisUrl) {
    worker = new BullMqJobRunner(redisConnection(redisUrl), {
      work: true,
      prefix,
      concurrency: defaultJobConcurrency(2),
    });
    const inUnit = (work: () => Promise<void>) => app.get(UnitOfWork).run(work);
    worker.register('segment.materialize', (id) => inUnit(() => app.get(SegmentMaterializer).run(id)));
    worker.register('export.run', (id) => inUnit(() => app.get(ExportRunner).run(id)));
  }
  return {
    app,
    db,
    http: checkedAgainstContract(request(app.getHttpServer())),
    logs,
    seedCompany: (name) => seedCompany(app, name),
    close: async () => {
      await worker?.close();
      await app.close();
      if (!options.db) await db.destroy();
      for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
      Object.assign(process.env, savedEnv);
    },
  };
}

const HTTP_METHODS: Record<string, string> = {
  get: 'GET',
  post: 'POST',
  put: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  del: 'DELETE',
  head: 'HEAD',
  options: 'OPTIONS',
};
let contract: OpenApiContract | undefined;

/**
 * Every request a spec makes through the harness is checked against the committed OpenAPI document:
 * a status, header or body the contract does not describe fails that request, whatever the spec
 * itself asserts.
 */
function checkedAgainstContract(agent: TestAgent): TestAgent {
  contract ??= OpenApiContract.load();
  const checker = contract;
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      const method = typeof property === 'string' ? HTTP_METHODS[property] : undefined;
      if (!method || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) =>
        (value as (url: string, ...rest: unknown[]) => request.Test)
          .call(target, url, ...rest)
          .expect((response: request.Response) =>
            checker.assert({
              method,
              url,
              status: response.status,
              headers: response.headers as Record<string, string>,
              body: /json/.test(String(response.headers['content-type'])) ? response.body : undefined,
            }),
          );
    },
  });
}

export function bearer(apiKey: string): { Authorization: string } {
  return { Authorization: `Bearer ${apiKey}` };
}

/**
 * Requests as one company (its API key on each), the calls every API spec makes: JSON bodies, and a
 * CSV upload as the `file` field of a multipart body (as `PUT …/segments/:id/upload` takes it).
 */
export function actingAs(api: Pick<ApiHarness, 'http'>, company: Pick<SeededCompany, 'apiKey'>) {
  const auth = bearer(company.apiKey);
  return {
    get: (path: string) => api.http.get(path).set(auth),
    post: (path: string, body: object = {}) => api.http.post(path).set(auth).send(body),
    patch: (path: string, body: object) => api.http.patch(path).set(auth).send(body),
    delete: (path: string) => api.http.delete(path).set(auth),
    upload: (path: string, content: Buffer | string, filename = 'segment.csv') =>
      api.http.put(path).set(auth).attach('file', Buffer.from(content), filename),
  };
}
