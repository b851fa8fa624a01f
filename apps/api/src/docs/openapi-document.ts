import { PROVIDER_FIELD_SCHEMAS } from '@conduit/destinations-catalog';
import type { FieldDefinition } from '@conduit/destinations-core';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorCode } from '@conduit/domain';
import { ERROR_STATUS, reasonPhrase } from '../http/error-status';
import { PUBLIC_OPERATION } from '../auth/public.decorator';
import { toOpenApi31 } from './openapi-3-1';

/** Version of the REST contract described by the committed openapi.json. */
export const API_CONTRACT_VERSION = '0.1.0';

const DESCRIPTION = `Conduit activates audiences: connect ad-platform accounts, configure destinations, share them
with partners and export activation segments.

**Authentication**: every operation except \`/health\` needs \`Authorization: Bearer <api key>\`.

**Errors** always have the shape \`{statusCode, error, code, message, details?, requestId}\`; \`code\` is a
stable enum (see the \`ErrorCode\` schema). A missing or foreign id answers 404. A path asked with a method
it does not offer answers 405 \`METHOD_NOT_ALLOWED\` with \`Allow\` listing its methods; an unknown path
answers 404 \`ROUTE_NOT_FOUND\`.

**Bodies** are JSON (\`Content-Type: application/json\`); uploads are \`multipart/form-data\`. A body of
another type answers 415 \`UNSUPPORTED_MEDIA_TYPE\`.

**Rate limits** are per API key (every route counted together, every API process sharing one budget):
over a limit the API answers 429 \`RATE_LIMITED\` with \`Retry-After\` (seconds). Counted answers carry
\`RateLimit-Limit\`, \`RateLimit-Remaining\` and \`RateLimit-Reset\` (seconds) of the window closest to its limit.

**Lists** take \`?limit=\` (1-200, default 50) and \`?cursor=\` and answer \`{data, nextCursor}\`.`;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Conduit API')
    .setDescription(DESCRIPTION)
    .setVersion(API_CONTRACT_VERSION)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This server (the API serves its own documentation)')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        // An opaque key, not a JWT: clients must not try to decode it.
        bearerFormat: 'cdt_ API key',
        description:
          'A Conduit API key (`cdt_…`): an operator creates a company and its first key with ' +
          '`npm run conduit -- company:create <name>` (another key: `npm run conduit -- api-key:create <companyId>`); ' +
          'a company creates more with POST /api-keys.',
      },
      'api-key',
    )
    .addSecurityRequirements('api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  describeProviderConfigs(document);
  markPublicOperations(document);
  documentRateLimits(document);
  documentTransportErrors(document);
  documentResponseHeaders(document);
  return toOpenApi31(document);
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operations(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((item) =>
    METHODS.map((method) => item[method]).filter((operation) => operation !== undefined),
  );
}

/** Every operation needs the API key (root `security`) except those marked @Public(): `security: []`. */
function markPublicOperations(document: OpenAPIObject): void {
  for (const operation of operations(document)) {
    const extensions = operation as unknown as Record<string, unknown>;
    if (extensions[PUBLIC_OPERATION] !== true) continue;
    delete extensions[PUBLIC_OPERATION];
    operation.security = [];
  }
}

const SECONDS = { type: 'string', pattern: '^[0-9]+$' } as const;

const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': 'Requests this API key may make in the window closest to its limit.',
  'RateLimit-Remaining': 'Requests left in that window.',
  'RateLimit-Reset': 'Seconds until that window starts over.',
};

/**
 * Every authenticated operation is counted against its API key (ApiRateLimitGuard): it may answer
 * 429 `RATE_LIMITED` with `Retry-After`, and its counted answers carry the `RateLimit-*` headers
 * (not a 401: the key is unknown; nor a body refused before the guards ran).
 */
function documentRateLimits(document: OpenAPIObject): void {
  const status = String(ERROR_STATUS[ErrorCode.RATE_LIMITED]);
  for (const operation of operations(document)) {
    if (operation.security?.length === 0) continue;
    for (const [code, response] of Object.entries(operation.responses)) {
      if (!response || '$ref' in response || code === '401') continue;
      const headers = (response.headers ??= {});
      for (const [name, description] of Object.entries(RATE_LIMIT_HEADERS)) {
        headers[name] = { required: false, description, schema: { ...SECONDS } };
      }
    }
    operation.responses[status] = {
      description: `${reasonPhrase(ERROR_STATUS[ErrorCode.RATE_LIMITED])}: \`${ErrorCode.RATE_LIMITED}\``,
      headers: {
        'Retry-After': {
          required: true,
          description: 'Seconds to wait before this API key may send another request.',
          schema: { ...SECONDS },
        },
        ...Object.fromEntries(
          Object.entries(RATE_LIMIT_HEADERS).map(([name, description]) => [
            name,
            { required: true, description, schema: { ...SECONDS } },
          ]),
        ),
      },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
    };
  }
}

/**
 * The headers a client may rely on: `X-Request-Id` on every answer (quote it when reporting a problem),
 * `WWW-Authenticate` on a 401, `Idempotent-Replayed` on the replayed answer of an idempotent write.
 */
function documentResponseHeaders(document: OpenAPIObject): void {
  for (const operation of operations(document)) {
    const idempotent = (operation.parameters ?? []).some(
      (parameter) => 'in' in parameter && parameter.in === 'header' && parameter.name === 'Idempotency-Key',
    );
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!response || '$ref' in response || status === HEADERS_TOO_LARGE) continue;
      const headers = (response.headers ??= {});
      headers['X-Request-Id'] = {
        required: true,
        description:
          'The id of this request in the logs (`X-Request-Id` of the request when it sent a valid one).',
        schema: { type: 'string' },
      };
      if (status === '401') {
        headers['WWW-Authenticate'] = {
          required: true,
          description: 'The authentication scheme to use: `Bearer realm="conduit"`.',
          schema: { type: 'string' },
        };
      }
      if (idempotent && status.startsWith('2')) {
        headers['Idempotent-Replayed'] = {
          required: false,
          description:
            '`true` when this is the first answer to an earlier request with the same `Idempotency-Key`.',
          schema: { type: 'string', enum: ['true'] },
        };
      }
    }
  }
}

/**
 * Errors any operation can answer before its handler runs, whatever it reads: a body that is not
 * valid JSON, too large, or of a media type the operation does not read; and headers too large.
 */
const TRANSPORT_ERRORS = [
  ErrorCode.MALFORMED_JSON,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNSUPPORTED_MEDIA_TYPE,
] as const;

function documentTransportErrors(document: OpenAPIObject): void {
  for (const operation of operations(document)) {
    for (const code of TRANSPORT_ERRORS) {
      const status = String(ERROR_STATUS[code]);
      const existing = operation.responses[status] as ResponseObject | undefined;
      if (!existing) {
        operation.responses[status] = {
          description: `${reasonPhrase(ERROR_STATUS[code])}: \`${code}\``,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
        };
      } else if (!existing.description.includes(`\`${code}\``)) {
        existing.description += `, \`${code}\``;
      }
    }
    operation.responses[HEADERS_TOO_LARGE] = {
      description:
        "Request Header Fields Too Large: the request line and headers exceed the HTTP server's limit " +
        '(16 KB). Node answers it before the API reads the request: no body and no `X-Request-Id`.',
    };
  }
}

/** Node's HTTP server refuses oversized headers itself (431, connection closed), before any middleware. */
const HEADERS_TOO_LARGE = '431';

/**
 * Adds three schemas per provider, generated from its field schema (e.g. `TiktokDestinationConfig`,
 * `TiktokDestinationConfigPatch`, `TiktokExportOverrides`), and points the destination and export
 * bodies at them: the docs and generated clients show every provider's fields and rules.
 */
function describeProviderConfigs(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  const refs = {
    config: [] as ReferenceObject[],
    patch: [] as ReferenceObject[],
    overrides: [] as ReferenceObject[],
  };
  for (const provider of PROVIDER_FIELD_SCHEMAS) {
    const name = provider.id
      .split('-')
      .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
      .join('');
    const { displayName, fields } = provider;
    schemas[`${name}DestinationConfig`] = {
      type: 'object',
      title: `${displayName} destination config`,
      description:
        `Fields of a ${displayName} destination. \`x-editable\` fields may be made editable at export ` +
        'time; a required field may be left out at creation only if it is editable.',
      additionalProperties: false,
      required: fields
        .filter((field) => field.required && !field.editable && field.default === undefined)
        .map((field) => field.key),
      properties: Object.fromEntries(fields.map((field) => [field.key, fieldSchema(field)])),
    };
    schemas[`${name}DestinationConfigPatch`] = {
      type: 'object',
      title: `${displayName} destination config change`,
      description: `Fields of a ${displayName} destination to change; \`null\` clears a field.`,
      additionalProperties: false,
      properties: Object.fromEntries(
        fields.map((field) => [field.key, { ...fieldSchema(field), nullable: true }]),
      ),
    };
    schemas[`${name}ExportOverrides`] = {
      type: 'object',
      title: `${displayName} export-time values`,
      description:
        `Values for a ${displayName} destination's editable fields. Only fields the destination made ` +
        'editable are accepted (`editableAtExport` on the destination); a locked one is refused, naming it.',
      additionalProperties: false,
      properties: Object.fromEntries(
        fields.filter((field) => field.editable).map((field) => [field.key, fieldSchema(field)]),
      ),
    };
    refs.config.push({ $ref: `#/components/schemas/${name}DestinationConfig` });
    refs.patch.push({ $ref: `#/components/schemas/${name}DestinationConfigPatch` });
    refs.overrides.push({ $ref: `#/components/schemas/${name}ExportOverrides` });
  }
  for (const [dto, property, variants] of [
    ['CreateDestinationDto', 'config', refs.config],
    ['UpdateDestinationDto', 'config', refs.patch],
    ['ResolveConfigDto', 'overrides', refs.overrides],
    ['CreateExportDto', 'overrides', refs.overrides],
  ] as const) {
    const properties = (schemas[dto] as SchemaObject | undefined)?.properties;
    const target = properties?.[property] as SchemaObject | undefined;
    if (!properties || !target)
      throw new Error(`OpenAPI: ${dto}.${property} is gone; update describeProviderConfigs`);
    // One provider: its schema itself; several: any of them (the body's provider says which applies).
    const { description, example } = target;
    properties[property] = {
      description,
      example,
      ...(variants.length === 1 ? variants[0] : { anyOf: [...variants] }),
    } as SchemaObject;
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
