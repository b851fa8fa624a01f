import 'reflect-metadata';
import { InvalidEnvironmentError } from '@conduit/config';
import { QuietStartupLogger } from '@conduit/domain';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { SchedulerModule } from './scheduler.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(await SchedulerModule.forRoot(), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(new QuietStartupLogger(app.get(Logger)));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log('Conduit scheduler started', 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(
    error instanceof InvalidEnvironmentError ? `Conduit scheduler cannot start. ${error.message}` : error,
  );
  process.exit(1);
});
