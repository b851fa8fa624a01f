import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { residentBytes } from '../worker-processes';

// Conduit's apps as real processes, run from `dist` as in production (the caller builds first:
// `buildApps()` in worker-processes.ts).

const root = resolve(__dirname, '..', '..', '..', '..');
export const DIST = {
  api: join(root, 'dist', 'apps', 'api', 'src', 'main.js'),
  cli: join(root, 'dist', 'apps', 'api', 'src', 'cli.js'),
  scheduler: join(root, 'dist', 'apps', 'scheduler', 'src', 'main.js'),
  emulator: join(root, 'dist', 'apps', 'tiktok-emulator', 'src', 'main.js'),
};

/** Runs the built CLI (`conduit …`) with `env`; answers its stdout. */
export function conduitCli(env: Record<string, string>, ...args: string[]): string {
  return execFileSync(process.execPath, [DIST.cli, ...args], { cwd: root, env, encoding: 'utf8' });
}

/**
 * One app as a process that a suite can kill and start again (same entry, same environment). Keeps
 * the last lines it printed for a failure message, and samples its resident set size.
 */
export class ConduitProcess {
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];
  /** Starts so far (1 after the first `start`). */
  starts = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {}

  start(): this {
    const child = spawn(process.execPath, [this.entry], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) this.output.push(`[${this.name} ${child.pid}] ${line.slice(0, 2000)}`);
      this.output.splice(0, Math.max(0, this.output.length - 60));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') this.output.push(`[${this.name} ${child.pid}] exited (${signal ?? code})`);
    });
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident set size now (bytes), or undefined when the process is not running. */
  get rss(): number | undefined {
    return this.alive && this.child?.pid ? residentBytes(this.child.pid) : undefined;
  }

  /** SIGKILL: no shutdown hook runs, leases and locks stay as they were. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; answers how long it took to exit. */
  async stop(graceMs = 15_000): Promise<number> {
    const startedAt = Date.now();
    const child = this.child;
    if (!child || !this.alive) return 0;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    return Date.now() - startedAt;
  }

  get lastOutput(): string {
    return this.output.join('\n') || '(no output)';
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** Thrown by a `waitFor` probe that knows waiting longer is pointless (an export FAILED). */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}

/**
 * Polls `probe` every `everyMs` until it answers a value; the error names `what`, plus `context()`.
 * A probe's error counts as "not yet" (the API may be between connections under chaos), but `GiveUp`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  {
    timeoutMs = 60_000,
    everyMs = 100,
    context,
  }: { timeoutMs?: number; everyMs?: number; context?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      if (error instanceof GiveUp) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${context ? `\n${context()}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
