import 'reflect-metadata';
import { InvalidEnvironmentError, validateEnv } from '@conduit/config';
import { MetaEmulator } from '@conduit/meta-emulator';
import pino from 'pino';
import { MetaEmulatorEnv } from './emulator.env';
import { emulatorOptionsFrom } from './emulator-options';

// The Meta emulator as a process: `node dist/apps/meta-emulator/src/main.js`.

async function main(): Promise<void> {
  if (process.env['NODE_ENV'] !== 'production') {
    try {
      process.loadEnvFile('.env');
    } catch {
      // no .env file: the environment alone configures the emulator
    }
  }
  const env = validateEnv(MetaEmulatorEnv, process.env);
  const logger = pino({ level: env.LOG_LEVEL, base: { app: 'meta-emulator' } });
  const emulator = new MetaEmulator(emulatorOptionsFrom(env));
  const url = await emulator.listen(env.META_EMULATOR_PORT, env.META_EMULATOR_HOST);
  const version = env.META_EMULATOR_GRAPH_VERSION;
  logger.info(
    {
      url,
      graphUrl: `${url}/${version}`,
      dialogUrl: `${url}/${version}/dialog/oauth`,
      admin: `${url}/_emulator/`,
    },
    `Meta emulator listening on ${url}`,
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
    error instanceof InvalidEnvironmentError ? `Meta emulator cannot start. ${error.message}` : error,
  );
  process.exit(1);
});
