import 'reflect-metadata';
import { InvalidEnvironmentError } from '@conduit/config';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { ApiEnv } from './config/api.env';
import { publicUrlOf } from './config/public-url';
import { configureApp, HTTP_APP_OPTIONS } from './configure-app';
import { shutDownGracefully } from './http/graceful-shutdown';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(), {
    ...HTTP_APP_OPTIONS,
    bufferLogs: true,
    abortOnError: false,
  });
  const config = app.get<ConfigService<ApiEnv, true>>(ConfigService);
  // First, so that it counts requests from their first byte (before the body parser reads them).
  shutDownGracefully(app, config.get('SHUTDOWN_GRACE_SECONDS', { infer: true }) * 1000, app.get(Logger));
  configureApp(app);
  const port = config.get('PORT', { infer: true });
  const host = config.get('HOST', { infer: true });
  await app.listen(port, host);
  const url = publicUrlOf({ PUBLIC_URL: config.get('PUBLIC_URL', { infer: true }), HOST: host, PORT: port });
  app.get(Logger).log(`Conduit API listening on ${url} (docs: ${url}/docs)`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(
    error instanceof InvalidEnvironmentError ? `Conduit API cannot start. ${error.message}` : error,
  );
  process.exit(1);
});
