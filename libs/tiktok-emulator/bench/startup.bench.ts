import { spawn } from 'node:child_process';
import { join } from 'node:path';

// Target (issue 3): the emulator process answers within 3 s of being started.
const LIMIT_MS = 3000;
const PORT = 3198;
const entry = join(__dirname, '..', '..', '..', 'apps', 'tiktok-emulator', 'src', 'main.js');

async function main(): Promise<void> {
  const started = Date.now();
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, TIKTOK_EMULATOR_PORT: String(PORT) },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const elapsed = Date.now() - started;
      if (elapsed > 10_000) throw new Error('the emulator did not answer within 10 s');
      try {
        const response = await fetch(`http://127.0.0.1:${PORT}/_emulator/health`);
        if (response.ok) {
          console.log(
            JSON.stringify({ bench: 'tiktok-emulator startup', readyMs: elapsed, limitMs: LIMIT_MS }),
          );
          if (elapsed > LIMIT_MS) process.exitCode = 1;
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill();
  }
}

void main();
