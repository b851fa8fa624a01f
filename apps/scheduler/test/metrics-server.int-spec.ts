import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { generateEncryptionKeySpec } from '@conduit/domain';
import {
  createTestDatabase,
  metricValue,
  parseMetrics,
  scrapeMetrics,
  type TestDatabase,
} from '@conduit/domain/testing';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MetricsServer } from '../src/metrics/metrics.server';
import { SchedulerModule } from '../src/scheduler.module';

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(`scheduler metrics server (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let db: TestDatabase;
  const savedEnv = { ...process.env };
  const logStream = new Writable({ write: (_chunk, _encoding, done) => done() });

  async function boot(env: Record<string, string>): Promise<INestApplicationContext> {
    Object.assign(process.env, db.env, {
      SCHEDULER_HEARTBEAT_SECONDS: '3600',
      SEGMENT_MAINTENANCE_SECONDS: '3600',
      EXPORT_MAINTENANCE_SECONDS: '3600',
      CONDUIT_ENCRYPTION_KEYS: generateEncryptionKeySpec('test'),
      REDIS_URL: '',
      ...env,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [await SchedulerModule.forRoot({ envFile: false, logStream })],
    }).compile();
    return moduleRef.init();
  }

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.destroy();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });

  it('serves /metrics and /health on METRICS_PORT, and closes the port on shutdown', async () => {
    const port = await freePort();
    const app = await boot({ METRICS_PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    try {
      expect(app.get(MetricsServer).address).toEqual({ host: '127.0.0.1', port });
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const samples = parseMetrics(await metrics.text());
      // Read at scrape: the export statuses from the database, the in-process queue from its runner.
      expect(metricValue(samples, 'conduit_exports', { status: 'RUNNING' })).toBe(0);
      expect(metricValue(samples, 'conduit_queue_jobs', { queue: 'conduit-jobs', state: 'waiting' })).toBe(0);
      expect(samples.some((sample) => sample.name === 'conduit_process_resident_memory_bytes')).toBe(true);
      expect(metricValue(samples, 'conduit_metrics_source_errors_total')).toBe(0);
      // What the chaos suite reads each process's figures with.
      expect(metricValue(await scrapeMetrics(`${base}/`), 'conduit_exports', { status: 'QUEUED' })).toBe(0);

      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await app.close();
    }
    expect(app.get(MetricsServer).address).toBeUndefined();
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('runs on without metrics, saying why, when its port is taken; METRICS_PORT=0 serves none', async () => {
    const port = await freePort();
    const first = await boot({ METRICS_PORT: String(port) });
    // Booted outside main.ts, the app logs through Nest's own logger.
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const second = await boot({ METRICS_PORT: String(port) });
      expect(second.get(MetricsServer).address).toBeUndefined();
      await second.close();
      expect(errors.mock.calls.map(([message]) => String(message))).toEqual([
        expect.stringContaining(`127.0.0.1:${port} is taken`),
      ]);
      // The first one still answers.
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      errors.mockRestore();
      await first.close();
    }
    const off = await boot({ METRICS_PORT: '0' });
    expect(off.get(MetricsServer).address).toBeUndefined();
    await off.close();
  });
});
