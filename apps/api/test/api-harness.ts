import { Writable } from 'node:stream';
import {
  createTestDatabase,
  seedCompany,
  type SeededCompany,
  type TestDatabase,
} from '@conduit/domain/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/configure-app';

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
export async function bootApi(): Promise<ApiHarness> {
  const db = await createTestDatabase();
  Object.assign(process.env, db.env, { LOG_LEVEL: 'debug' });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const moduleRef = await Test.createTestingModule({
    imports: [await AppModule.forRoot({ envFile: false, logStream })],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  configureApp(app);
  await app.init();
  return {
    app,
    db,
    http: request(app.getHttpServer()),
    logs,
    seedCompany: (name) => seedCompany(app, name),
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

export function bearer(apiKey: string): { Authorization: string } {
  return { Authorization: `Bearer ${apiKey}` };
}
