import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { reportBench } from '@conduit/bench';

// Target (issue 3): the emulator process answers within 3 s of being started.
const LIMIT_MS = 3000;
const PORT = 3198;
// Run from sources by `npm run bench`, which builds the apps first: the emulator starts from dist.
const entry = join(__dirname, '..', '..', '..', 'dist', 'apps', 'tiktok-emulator', 'src', 'main.js');

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
          reportBench('6. Other', 6, [
            {
              name: 'TikTok emulator process ready',
              value: elapsed,
              unit: 'ms',
              target: { op: '<=', value: LIMIT_MS },
            },
          ]);
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

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
