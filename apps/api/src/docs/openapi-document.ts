import { PROVIDER_FIELD_SCHEMAS } from '@conduit/destinations-catalog';
import type { FieldDefinition } from '@conduit/destinations-core';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Version of the REST contract described by the committed openapi.json. */
export const API_CONTRACT_VERSION = '0.1.0';

const DESCRIPTION = `Conduit activates audiences: connect ad-platform accounts, configure destinations, share them
with partners and export activation segments.

**Authentication**: every operation except \`/health\` needs \`Authorization: Bearer <api key>\`.

**Errors** always have the shape \`{statusCode, error, code, message, details?, requestId}\`; \`code\` is a
stable enum (see the \`ErrorCode\` schema). A missing or foreign id answers 404.

**Bodies** are JSON (\`Content-Type: application/json\`); uploads are \`multipart/form-data\`. A body of
another type answers 415 \`UNSUPPORTED_MEDIA_TYPE\`.

**Lists** take \`?limit=\` (1-200, default 50) and \`?cursor=\` and answer \`{data, nextCursor}\`.`;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Conduit API')
    .setDescription(DESCRIPTION)
    .setVersion(API_CONTRACT_VERSION)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A Conduit API key (`cdt_…`).' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  describeProviderConfigs(document);
  return document;
}

/**
 * Adds one schema per provider (e.g. `TiktokDestinationConfig`) generated from its field schema, and
 * points the destination `config` bodies at them: the docs show every provider's fields and rules.
 */
function describeProviderConfigs(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  const refs: ReferenceObject[] = [];
  for (const provider of PROVIDER_FIELD_SCHEMAS) {
    const name = `${provider.id.charAt(0).toUpperCase()}${provider.id.slice(1).replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}DestinationConfig`;
    schemas[name] = {
      type: 'object',
      title: `${provider.displayName} destination config`,
      description:
        `Fields of a ${provider.displayName} destination. \`x-editable\` fields may be made editable at export ` +
        'time; a required field may be left out at creation only if it is editable.',
      additionalProperties: false,
      required: provider.fields
        .filter((field) => field.required && !field.editable && field.default === undefined)
        .map((field) => field.key),
      properties: Object.fromEntries(provider.fields.map((field) => [field.key, fieldSchema(field)])),
    };
    refs.push({ $ref: `#/components/schemas/${name}` });
  }
  for (const [dto, property] of [
    ['CreateDestinationDto', 'config'],
    ['UpdateDestinationDto', 'config'],
    ['ResolveConfigDto', 'overrides'],
  ] as const) {
    const schema = schemas[dto] as SchemaObject | undefined;
    const target = schema?.properties?.[property] as SchemaObject | undefined;
    if (target) target.anyOf = refs;
  }
}

/** A field as JSON Schema, with `x-editable` (may be editable at export) as a vendor extension. */
function fieldSchema(field: FieldDefinition): SchemaObject & Record<`x-${string}`, unknown> {
  const rules = field.rules ?? {};
  return {
    type: field.type === 'integer' ? 'integer' : 'string',
    title: field.label,
    description: field.description + (rules.pattern ? ` (${rules.pattern.description})` : ''),
    example: field.example,
    ...(field.default === undefined ? {} : { default: field.default }),
    ...(rules.values ? { enum: [...rules.values] } : {}),
    ...(rules.minLength === undefined ? {} : { minLength: rules.minLength }),
    ...(rules.maxLength === undefined ? {} : { maxLength: rules.maxLength }),
    ...(rules.min === undefined ? {} : { minimum: rules.min }),
    ...(rules.max === undefined ? {} : { maximum: rules.max }),
    ...(rules.pattern ? { pattern: rules.pattern.regex } : {}),
    'x-editable': field.editable,
    ...(field.externalAccount ? { 'x-external-account': true } : {}),
  };
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
