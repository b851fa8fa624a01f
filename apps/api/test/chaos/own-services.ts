import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

// The services a chaos suite breaks are its own: a Redis server on a port of its own (restarted
// mid-run) and a PostgreSQL database of its own on the machine's server (its connections killed
// mid-run). The machine's shared Redis and the other databases are never touched.

/** A free loopback TCP port (the OS picks it; closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Whether `redis-server` is on this machine's PATH. */
export const redisServerAvailable = (): boolean =>
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * A `redis-server` of the suite's own, on a free port, persisting to an append-only file in a
 * temporary folder (as a production Redis for BullMQ should: `appendonly yes`, `noeviction`), so a
 * restart keeps the queue.
 */
export class OwnRedis {
  private process: ChildProcess | undefined;
  private readonly folder = mkdtempSync(join(tmpdir(), 'conduit-chaos-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops the server (SHUTDOWN: the append-only file is flushed) and starts it again on its port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async stop(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.folder,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ping = spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' });
      if (ping.stdout?.trim() === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A database of the suite's own on the PostgreSQL server `serverUrl` points at; dropped on close. */
export class OwnDatabase {
  private constructor(
    private readonly serverUrl: URL,
    readonly name: string,
  ) {}

  static async create(serverUrl: string, label: string): Promise<OwnDatabase> {
    const name = `conduit_${label}_${randomBytes(4).toString('hex')}`;
    const database = new OwnDatabase(new URL(serverUrl), name);
    await database.admin(`CREATE DATABASE "${name}"`);
    return database;
  }

  get url(): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.name}`;
    return url.toString();
  }

  /** Kills every connection to this database (`pg_terminate_backend`); answers how many it killed. */
  async terminateConnections(): Promise<number> {
    const rows = await this.admin(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [this.name],
    );
    return rows.filter((row) => row['killed'] === true).length;
  }

  async drop(): Promise<void> {
    await this.admin(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
  }

  private async admin(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    const url = new URL(this.serverUrl);
    url.pathname = '/postgres';
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
}
