import { InvalidEnvironmentError } from '@conduit/config';
import pino from 'pino';
import { runEmulatorProcess, type EmulatorProcess, type ProcessPort } from './emulator-process';

interface Env {
  LOG_LEVEL: string;
  PORT: number;
}

/** A process stand-in: its environment, the .env files read, the signal handlers and exit codes. */
function fakeProcess(env: Record<string, unknown> = {}) {
  const handlers = new Map<string, () => void>();
  const exits: number[] = [];
  const envFiles: string[] = [];
  const port: ProcessPort = {
    env,
    loadEnvFile: (path) => {
      envFiles.push(path);
      throw new Error('ENOENT');
    },
    once: (signal, handler) => void handlers.set(signal, handler),
    exit: (code) => void exits.push(code),
  };
  return { port, handlers, exits, envFiles };
}

function fakeEmulator(overrides: Partial<EmulatorProcess<Env>> = {}) {
  const close = jest.fn(async () => undefined);
  const emulator: EmulatorProcess<Env> = {
    title: 'Test emulator',
    app: 'test-emulator',
    readEnv: (raw) => ({ LOG_LEVEL: 'info', PORT: Number(raw['PORT'] ?? 0) }),
    start: async (env) => ({ url: `http://127.0.0.1:${env.PORT}`, close }),
    endpoints: (url) => ({ admin: `${url}/_emulator/` }),
    ...overrides,
  };
  return { emulator, close };
}

describe('runEmulatorProcess', () => {
  const logs: { level: string; app: string; lines: unknown[] }[] = [];
  const makeLogger = (level: string, app: string) => {
    const entry = { level, app, lines: [] as unknown[] };
    logs.push(entry);
    return pino({ level }, { write: (line: string) => void entry.lines.push(JSON.parse(line)) });
  };
  beforeEach(() => (logs.length = 0));

  it('reads .env, starts with the validated environment and logs where it listens', async () => {
    const host = fakeProcess({ PORT: '4100' });
    const { emulator } = fakeEmulator();
    await runEmulatorProcess(emulator, host.port, makeLogger);
    expect(host.envFiles).toEqual(['.env']);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'info',
        app: 'test-emulator',
        lines: [
          expect.objectContaining({
            url: 'http://127.0.0.1:4100',
            admin: 'http://127.0.0.1:4100/_emulator/',
            msg: 'Test emulator listening on http://127.0.0.1:4100',
          }),
        ],
      }),
    ]);
    expect(host.exits).toEqual([]);
  });

  it('reads no .env in production', async () => {
    const host = fakeProcess({ NODE_ENV: 'production' });
    await runEmulatorProcess(fakeEmulator().emulator, host.port, makeLogger);
    expect(host.envFiles).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGINT'])('closes the emulator on %s, then exits 0', async (signal) => {
    const host = fakeProcess();
    const { emulator, close } = fakeEmulator();
    await runEmulatorProcess(emulator, host.port, makeLogger);
    host.handlers.get(signal)?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(close).toHaveBeenCalledTimes(1);
    expect(host.exits).toEqual([0]);
    expect(logs[0].lines).toContainEqual(expect.objectContaining({ msg: `Received ${signal}; stopping` }));
  });

  it('refuses an invalid environment with every problem, and exits 1 without starting', async () => {
    const host = fakeProcess();
    const start = jest.fn();
    const { emulator } = fakeEmulator({
      readEnv: () => {
        throw new InvalidEnvironmentError(['PORT must be a number', 'HOST must be set']);
      },
      start,
    });
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await runEmulatorProcess(emulator, host.port, makeLogger);
      expect(printed).toHaveBeenCalledWith(
        expect.stringMatching(/^Test emulator cannot start\. Invalid configuration \(2 problems\)/),
      );
    } finally {
      printed.mockRestore();
    }
    expect(start).not.toHaveBeenCalled();
    expect(host.exits).toEqual([1]);
  });

  it('prints a failed start as it is and exits 1', async () => {
    const host = fakeProcess();
    const failure = new Error('listen EADDRINUSE');
    const { emulator } = fakeEmulator({ start: () => Promise.reject(failure) });
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await runEmulatorProcess(emulator, host.port, makeLogger);
      expect(printed).toHaveBeenCalledWith(failure);
    } finally {
      printed.mockRestore();
    }
    expect(host.exits).toEqual([1]);
  });
});
