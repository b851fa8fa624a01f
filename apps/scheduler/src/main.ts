import 'reflect-metadata';
import { InvalidEnvironmentError } from '@conduit/config';
import { QuietStartupLogger } from '@conduit/domain';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { SchedulerEnv } from './config/scheduler.env';
import { SchedulerModule } from './scheduler.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(await SchedulerModule.forRoot(), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(new QuietStartupLogger(app.get(Logger)));
  const graceMs =
    app.get<ConfigService<SchedulerEnv, true>>(ConfigService).get('SHUTDOWN_GRACE_SECONDS') * 1000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void stop(app, signal, graceMs));
  await app.init();
  app.get(Logger).log('Conduit scheduler started', 'Bootstrap');
}

/**
 * SIGTERM: the queue worker takes no new job, running exports stop at their next safe point (their
 * checkpoints saved), release their lease and hand their job back to the queue, for another worker to
 * resume at once (JobRunner / ExportRunner). Exit 0 once done; 1 if the grace period runs out first.
 */
async function stop(app: INestApplicationContext, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const logger = app.get(Logger);
  const startedAt = Date.now();
  logger.log(`${signal}: stopping; running jobs hand back (grace ${graceMs / 1000} s)`, 'Shutdown');
  setTimeout(() => {
    logger.error(`Not stopped within the grace period (${graceMs / 1000} s); exiting`, 'Shutdown');
    process.exit(1);
  }, graceMs).unref();
  try {
    await app.close();
  } catch (error) {
    logger.error({ err: error }, 'Shutdown failed');
    process.exit(1);
  }
  logger.log(`Stopped in ${Date.now() - startedAt} ms`, 'Shutdown');
  process.exit(0);
}

bootstrap().catch((error: unknown) => {
  console.error(
    error instanceof InvalidEnvironmentError ? `Conduit scheduler cannot start. ${error.message}` : error,
  );
  process.exit(1);
});
