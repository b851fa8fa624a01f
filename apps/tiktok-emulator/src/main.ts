import 'reflect-metadata';
import { InvalidEnvironmentError, validateEnv } from '@conduit/config';
import { TikTokEmulator } from '@conduit/tiktok-emulator';
import pino from 'pino';
import { EmulatorEnv } from './emulator.env';
import { emulatorOptionsFrom } from './emulator-options';

// The TikTok emulator as a process: `node dist/apps/tiktok-emulator/src/main.js` (npm start runs it).

async function main(): Promise<void> {
  if (process.env['NODE_ENV'] !== 'production') {
    try {
      process.loadEnvFile('.env');
    } catch {
      // no .env file: the environment alone configures the emulator
    }
  }
  const env = validateEnv(EmulatorEnv, process.env);
  const logger = pino({ level: env.LOG_LEVEL, base: { app: 'tiktok-emulator' } });
  const emulator = new TikTokEmulator(emulatorOptionsFrom(env));
  const url = await emulator.listen(env.TIKTOK_EMULATOR_PORT, env.TIKTOK_EMULATOR_HOST);
  logger.info(
    { url, apiBaseUrl: `${url}/open_api/v1.3`, admin: `${url}/_emulator/` },
    `TikTok emulator listening on ${url}`,
  );
  const stop = (signal: string) => {
    logger.info(`Received ${signal}; stopping`);
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(
    error instanceof InvalidEnvironmentError ? `TikTok emulator cannot start. ${error.message}` : error,
  );
  process.exit(1);
});
