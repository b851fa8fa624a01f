import { ConduitMetrics, QuietStartupLogger } from '@conduit/domain';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { buildOpenApiDocument, serveApiDocs } from './docs/openapi-document';
import { useJsonBody } from './http/json-body';
import { httpMetrics } from './metrics/http-metrics';

export { HTTP_APP_OPTIONS } from './http/json-body';

/**
 * Everything main.ts, the e2e suites and the OpenAPI generator share about the HTTP app. Create the
 * app with `HTTP_APP_OPTIONS`, so that the body parser installed here is the only one. Signals are
 * main.ts's business (graceful-shutdown.ts), not a spec's.
 */
export function configureApp(app: NestExpressApplication): void {
  app.useLogger(new QuietStartupLogger(app.get(Logger)));
  app.disable('x-powered-by');
  // First: every answer is counted, a body the parser refuses included.
  app.use(httpMetrics(app.get(ConduitMetrics)));
  useJsonBody(app);
  serveApiDocs(app, buildOpenApiDocument(app));
}
