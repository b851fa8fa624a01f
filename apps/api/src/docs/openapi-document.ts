import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Version of the REST contract described by the committed openapi.json. */
export const API_CONTRACT_VERSION = '0.1.0';

const DESCRIPTION = `Conduit activates audiences: connect ad-platform accounts, configure destinations, share them
with partners and export activation segments.

**Authentication**: every operation except \`/health\` needs \`Authorization: Bearer <api key>\`.

**Errors** always have the shape \`{statusCode, error, code, message, details?, requestId}\`; \`code\` is a
stable enum (see the \`ErrorCode\` schema). A missing or foreign id answers 404.

**Lists** take \`?limit=\` (1-200, default 50) and \`?cursor=\` and answer \`{data, nextCursor}\`.`;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Conduit API')
    .setDescription(DESCRIPTION)
    .setVersion(API_CONTRACT_VERSION)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A Conduit API key (`cdt_…`).' }, 'api-key')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

/** Serves Swagger UI at /docs and the spec at /docs/openapi.json. */
export function serveApiDocs(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Conduit API',
    swaggerOptions: { persistAuthorization: true },
  });
}
