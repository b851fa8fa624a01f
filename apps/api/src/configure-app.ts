import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { buildOpenApiDocument, serveApiDocs } from './docs/openapi-document';

/** Everything main.ts, the e2e suites and the OpenAPI generator share about the HTTP app. */
export function configureApp(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  serveApiDocs(app, buildOpenApiDocument(app));
}
