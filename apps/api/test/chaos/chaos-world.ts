import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetrics, type MetricSample } from '@conduit/domain/testing';
import { buildApps } from '../worker-processes';
import { ConduitProcess, conduitCli, DIST, waitFor } from './conduit-processes';
import { freePort, OwnDatabase, OwnRedis } from './own-services';

// A whole Conduit as its users run it, every part a real process: the TikTok emulator, the API and
// scheduler workers, on a database and (with workers) a Redis of the suite's own. What a reliability
// suite drives over HTTP, breaks, and inspects.

export const ADVERTISER = '7200000000000000001';
const APP_ID = '7100000000000000001';
const APP_SECRET = 'chaos-app-secret';

export interface ChaosWorldOptions {
  /** Names the database and queue prefix. */
  label: string;
  /**
   * `postgres`: a database of its own on the server at `serverUrl`, a Redis of its own, BullMQ
   * workers. `sqlite`: the embedded default (a SQLite file, jobs in the API process), no workers.
   */
  database: { kind: 'postgres'; serverUrl: string } | { kind: 'sqlite' };
  workers?: number;
  /** Added to every Conduit process's environment (API and workers). */
  env?: Record<string, string>;
  workerEnv?: Record<string, string>;
  emulatorEnv?: Record<string, string>;
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class ChaosWorld {
  private constructor(
    readonly env: Record<string, string>,
    readonly apiUrl: string,
    readonly emulatorUrl: string,
    readonly emulator: ConduitProcess,
    readonly api: ConduitProcess,
    readonly workers: ConduitProcess[],
    /** Where each worker serves /metrics (same index as `workers`). */
    readonly workerMetricsUrls: string[],
    readonly redis: OwnRedis | undefined,
    readonly database: OwnDatabase | undefined,
    private readonly folder: string,
  ) {}

  static async start(options: ChaosWorldOptions): Promise<ChaosWorld> {
    buildApps();
    const folder = mkdtempSync(join(tmpdir(), `conduit-${options.label}-`));
    const postgres = options.database.kind === 'postgres';
    const database = postgres
      ? await OwnDatabase.create(
          (options.database as { serverUrl: string }).serverUrl,
          options.label.replace(/\W+/g, '_'),
        )
      : undefined;
    const redis = postgres ? await OwnRedis.start() : undefined;
    const [apiPort, emulatorPort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    const base: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      LOG_LEVEL: 'warn',
      CONDUIT_DATA_DIR: join(folder, 'data'),
    };
    if (database) base['DATABASE_URL'] = database.url;
    const keys = JSON.parse(conduitCli(base, 'keys:generate', '--json')) as { entry: string };
    const env: Record<string, string> = {
      ...base,
      ...(redis
        ? {
            REDIS_URL: redis.url,
            CONDUIT_QUEUE_PREFIX: `conduit-${options.label}-${randomBytes(3).toString('hex')}`,
          }
        : {}),
      CONDUIT_ENCRYPTION_KEYS: keys.entry,
      PUBLIC_URL: apiUrl,
      TIKTOK_APP_ID: APP_ID,
      TIKTOK_APP_SECRET: APP_SECRET,
      TIKTOK_API_BASE_URL: `${emulatorUrl}/open_api/v1.3`,
      TIKTOK_AUTHORIZE_URL: `${emulatorUrl}/portal/auth`,
      ...options.env,
    };
    conduitCli(env, 'db:migrate');

    const emulator = new ConduitProcess('tiktok-emulator', DIST.emulator, {
      PATH: base.PATH as string,
      LOG_LEVEL: 'warn',
      TIKTOK_EMULATOR_PORT: String(emulatorPort),
      TIKTOK_EMULATOR_APP_ID: APP_ID,
      TIKTOK_EMULATOR_APP_SECRET: APP_SECRET,
      TIKTOK_EMULATOR_REDIRECT_URIS: `${apiUrl}/oauth/callback/tiktok`,
      TIKTOK_EMULATOR_ADVERTISERS: `${ADVERTISER}:Chaos Advertiser`,
      TIKTOK_EMULATOR_MIN_UPDATE_SIZE: '1',
      TIKTOK_EMULATOR_MIN_VALID_SIZE: '1',
      ...options.emulatorEnv,
    }).start();
    const api = new ConduitProcess('api', DIST.api, {
      ...env,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
    }).start();
    // Each worker serves /metrics on a port of its own, the same across restarts.
    const metricsPorts: number[] = [];
    for (let index = 0; index < (options.workers ?? 0); index++) metricsPorts.push(await freePort());
    const workers = metricsPorts.map(
      (port, index) =>
        new ConduitProcess(`worker-${index + 1}`, DIST.scheduler, {
          ...env,
          METRICS_PORT: String(port),
          ...options.workerEnv,
        }),
    );
    const world = new ChaosWorld(
      env,
      apiUrl,
      emulatorUrl,
      emulator,
      api,
      workers,
      metricsPorts.map((port) => `http://127.0.0.1:${port}`),
      redis,
      database,
      folder,
    );
    await waitFor(
      'the emulator and the API to answer /health',
      async () =>
        (await fetch(`${emulatorUrl}/_emulator/health`)).ok && (await fetch(`${apiUrl}/health`)).ok
          ? true
          : undefined,
      { timeoutMs: 60_000, context: () => world.lastOutput },
    );
    for (const worker of workers) worker.start();
    return world;
  }

  /** Every process's last lines, for a failure message. */
  get lastOutput(): string {
    return [this.emulator, this.api, ...this.workers].map((process) => process.lastOutput).join('\n');
  }

  /** A company with its first API key, made by the CLI as an operator would. */
  company(name: string): { companyId: string; apiKey: string } {
    return JSON.parse(conduitCli(this.env, 'company:create', name, '--json')) as {
      companyId: string;
      apiKey: string;
    };
  }

  async call<T = Record<string, unknown>>(
    apiKey: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** `call`, failing with the answer when its status is not `expected`. */
  async expect<T = Record<string, unknown>>(
    expected: number,
    apiKey: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const answer = await this.call<T>(apiKey, method, path, body);
    if (answer.status !== expected)
      throw new Error(
        `${method} ${path}: ${answer.status}, expected ${expected}: ${JSON.stringify(answer.body)}`,
      );
    return answer.body;
  }

  /** Uploads a CSV as a segment's file (multipart, as curl -F does). */
  async upload(apiKey: string, segmentPath: string, csv: string): Promise<ApiAnswer> {
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'segment.csv');
    const response = await fetch(`${this.apiUrl}${segmentPath}/upload`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${apiKey}` },
      body: form,
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  /** The browser flow: create the authorization, confirm on TikTok's consent page, follow the callback. */
  async connectTikTok(apiKey: string, name: string): Promise<string> {
    const created = await this.expect<{ id: string; authorizeUrl: string }>(
      201,
      apiKey,
      'POST',
      '/authorizations',
      {
        name,
        provider: 'tiktok',
      },
    );
    const state = new URL(created.authorizeUrl).searchParams.get('state') as string;
    const consent = await fetch(`${this.emulatorUrl}/portal/auth/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        app_id: APP_ID,
        state,
        redirect_uri: `${this.apiUrl}/oauth/callback/tiktok`,
      }).toString(),
      redirect: 'manual',
    });
    const callback = consent.headers.get('location');
    if (!callback) throw new Error(`TikTok's consent page answered ${consent.status}`);
    const outcome = await fetch(callback, { redirect: 'manual' });
    const status = new URL(outcome.headers.get('location') ?? '', this.apiUrl).searchParams.get('status');
    if (status !== 'AUTHENTICATED') throw new Error(`The authorization ended ${status}`);
    return created.id;
  }

  /**
   * The samples of a process's `/metrics`: the API's (`api`) or a worker's (its index). Counters
   * start again at 0 when a worker is restarted; gauges read the database and the queue at scrape.
   */
  async metrics(from: 'api' | number): Promise<MetricSample[]> {
    const url = from === 'api' ? `${this.apiUrl}/metrics` : `${this.workerMetricsUrls[from]}/metrics`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return parseMetrics(await response.text());
  }

  /** The emulator's inspection API (`/_emulator/…`). */
  async emulatorAdmin<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T> {
    const response = await fetch(`${this.emulatorUrl}/_emulator${path}`, init);
    if (!response.ok) throw new Error(`emulator ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers, this.api, this.emulator].map((process) => process.kill()));
    await this.redis?.close();
    await this.database?.drop();
    rmSync(this.folder, { recursive: true, force: true });
  }
}
