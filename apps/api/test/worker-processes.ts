import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startTikTokEmulator, type EmulatorOptions, type RunningEmulator } from '@conduit/tiktok-emulator';
import { bootApi, type ApiHarness } from './api-harness';
import { ADVERTISERS, APP, tiktokEnv } from './tiktok-world';

// Real scheduler processes for the specs that kill workers or weigh them: the built scheduler (a
// BullMQ worker when REDIS_URL is set), started and stopped by the spec.

const root = resolve(__dirname, '..', '..', '..');
const SCHEDULER = join(root, 'dist', 'apps', 'scheduler', 'src', 'main.js');

/**
 * Builds the apps (`npm run build`) so the scheduler runs from `dist`, as in production. `npm test`
 * builds once before its heap pass and says so (CONDUIT_APPS_BUILT=1): two suites building into the
 * same `dist` at once could start a worker from a half-written file.
 */
export function buildApps(): void {
  if (process.env['CONDUIT_APPS_BUILT'] === '1') return;
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
}

/** Scheduler processes started by a spec; `killAll` in its afterAll. */
export class Workers {
  private readonly running = new Set<ChildProcess>();
  private readonly output: string[] = [];

  constructor(private readonly env: Record<string, string>) {}

  start(): ChildProcess {
    const worker = spawn(process.execPath, [SCHEDULER], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.running.add(worker);
    const keep = (chunk: Buffer) => {
      this.output.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => `[${worker.pid}] ${line}`),
      );
      this.output.splice(0, Math.max(0, this.output.length - 40));
    };
    worker.stdout?.on('data', keep);
    worker.stderr?.on('data', keep);
    worker.on('exit', (code, signal) => {
      this.running.delete(worker);
      if (signal !== 'SIGKILL') this.output.push(`[${worker.pid}] exited (${signal ?? code})`);
    });
    return worker;
  }

  /** The workers' last 40 lines of output (warnings and errors at LOG_LEVEL=warn), for a failure message. */
  get lastOutput(): string {
    return this.output.join('\n') || '(no output)';
  }

  killAll(): void {
    for (const worker of this.running) worker.kill('SIGKILL');
  }
}

/** Polls `probe` every 25 ms until it returns a value. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
  workers?: Workers,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `Timed out waiting for ${what}${workers ? `; the workers said:\n${workers.lastOutput}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A process's resident set size in bytes (Linux: /proc/<pid>/status), or undefined once it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The TikTok emulator and the API in this process, scheduler processes started by the spec. */
export interface ProcessWorld {
  tiktok: RunningEmulator;
  /** Enqueues only: jobs go to BullMQ, under a queue prefix of this world's own. */
  api: ApiHarness;
  workers: Workers;
  close(): Promise<void>;
}

/**
 * Builds the apps, starts the emulator (audiences valid from one user) and the API on BullMQ, and
 * prepares workers with the same database, queue, TikTok app and keys (plus `workerEnv`).
 */
export async function startProcessWorld(
  redisUrl: string,
  options: { name: string; emulator?: Partial<EmulatorOptions>; workerEnv?: Record<string, string> },
): Promise<ProcessWorld> {
  buildApps();
  const tiktok = await startTikTokEmulator({
    apps: [APP],
    advertisers: ADVERTISERS,
    minValidAudienceSize: 1,
    minAudienceSizeAfterUpdate: 1,
    rateLimit: { perSecond: 1000, perMinute: 100_000 },
    ...options.emulator,
  });
  const env = {
    ...tiktokEnv(tiktok),
    REDIS_URL: redisUrl,
    CONDUIT_QUEUE_PREFIX: `conduit-${options.name}-${randomBytes(4).toString('hex')}`,
  };
  const api = await bootApi({ env });
  const workers = new Workers({
    PATH: process.env['PATH'] ?? '',
    ...api.db.env,
    ...env,
    CONDUIT_ENCRYPTION_KEYS: process.env['CONDUIT_ENCRYPTION_KEYS'] as string,
    SEGMENT_MAINTENANCE_SECONDS: '3600',
    LOG_LEVEL: 'warn',
    ...options.workerEnv,
  });
  return {
    tiktok,
    api,
    workers,
    close: async () => {
      workers.killAll();
      await api.close();
      await tiktok.close();
    },
  };
}
