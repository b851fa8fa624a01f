import { InvalidEnvironmentError } from '@conduit/config';
import pino, { type Logger } from 'pino';

/** An emulator that was started: where it listens, and how it stops. */
export interface StartedEmulator {
  url: string;
  close(): Promise<void>;
}

/** What an emulator app declares; the kit does the rest (environment, start, log, graceful stop). */
export interface EmulatorProcess<Env extends { LOG_LEVEL: string }> {
  /** How the logs and a refusal name it, e.g. "TikTok emulator". */
  title: string;
  /** The logs' `app` field, e.g. "tiktok-emulator". */
  app: string;
  /** Validates the environment, reporting every invalid variable at once (validateEnv). */
  readEnv(env: Record<string, unknown>): Env;
  start(env: Env): Promise<StartedEmulator>;
  /** What the "listening" line shows besides the URL (API bases, the admin API). */
  endpoints(url: string, env: Env): Record<string, string>;
}

/** The parts of `process` the bootstrap uses (a spec passes its own). */
export interface ProcessPort {
  env: Record<string, unknown>;
  loadEnvFile(path: string): void;
  once(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code: number): void;
}

const NODE_PROCESS: ProcessPort = {
  get env() {
    return process.env;
  },
  loadEnvFile: (path) => process.loadEnvFile(path),
  once: (signal, handler) => void process.once(signal, handler),
  exit: (code) => process.exit(code),
};

/**
 * Runs an emulator as a process: reads `.env` outside production, validates the environment, starts
 * the emulator and logs where; SIGINT or SIGTERM closes it and exits 0. A refused environment or a
 * failed start prints why and exits 1.
 */
export async function runEmulatorProcess<Env extends { LOG_LEVEL: string }>(
  emulator: EmulatorProcess<Env>,
  host: ProcessPort = NODE_PROCESS,
  makeLogger: (level: string, app: string) => Logger = (level, app) => pino({ level, base: { app } }),
): Promise<void> {
  try {
    await boot(emulator, host, makeLogger);
  } catch (error) {
    console.error(
      error instanceof InvalidEnvironmentError ? `${emulator.title} cannot start. ${error.message}` : error,
    );
    host.exit(1);
  }
}

async function boot<Env extends { LOG_LEVEL: string }>(
  emulator: EmulatorProcess<Env>,
  host: ProcessPort,
  makeLogger: (level: string, app: string) => Logger,
): Promise<void> {
  if (host.env['NODE_ENV'] !== 'production') {
    try {
      host.loadEnvFile('.env');
    } catch {
      // no .env file: the environment alone configures the emulator
    }
  }
  const env = emulator.readEnv(host.env);
  const logger = makeLogger(env.LOG_LEVEL, emulator.app);
  const started = await emulator.start(env);
  logger.info(
    { url: started.url, ...emulator.endpoints(started.url, env) },
    `${emulator.title} listening on ${started.url}`,
  );
  const stop = (signal: string) => {
    logger.info(`Received ${signal}; stopping`);
    void started.close().then(() => host.exit(0));
  };
  host.once('SIGINT', () => stop('SIGINT'));
  host.once('SIGTERM', () => stop('SIGTERM'));
}
