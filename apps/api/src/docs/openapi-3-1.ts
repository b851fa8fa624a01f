import type { OpenAPIObject } from '@nestjs/swagger';

/** A JSON Schema node as @nestjs/swagger writes it (OpenAPI 3.0 dialect) or as we rewrite it (3.1). */
type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = ['items', 'not', 'additionalProperties', 'contains', 'propertyNames'] as const;
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', '$defs'] as const;

/**
 * Rewrites the document @nestjs/swagger generates (OpenAPI 3.0) as OpenAPI 3.1, whose schemas are
 * plain JSON Schema 2020-12: what validators (Ajv) and client generators read without dialect quirks.
 *
 * - `nullable: true` becomes `null` in `type` (and in `enum`), or a `{type: 'null'}` alternative beside
 *   a referenced or composed schema: 3.0's `nullable` beside `allOf`/`$ref` is ignored by validators,
 *   which then refuse the `null` the API answers.
 * - A one-element `allOf` (3.0's only way to give a `$ref` a description) becomes the `$ref` itself,
 *   with its siblings, as 3.1 allows.
 */
export function toOpenApi31(document: OpenAPIObject): OpenAPIObject {
  document.openapi = '3.1.0';
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) schemas[name] = rewriteSchema(schemas[name] as Schema) as never;
  visitSchemaSlots(document.paths as unknown as Schema);
  return document;
}

/** Finds every `schema` slot under the paths (parameters, bodies, responses, headers). */
function visitSchemaSlots(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(visitSchemaSlots);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'schema' && isObject(value)) node[key] = rewriteSchema(value);
    else if (key !== 'example' && key !== 'examples') visitSchemaSlots(value);
  }
}

function rewriteSchema(input: Schema): Schema {
  const schema: Schema = { ...input };
  for (const keyword of SCHEMA_KEYWORDS) {
    if (isObject(schema[keyword])) schema[keyword] = rewriteSchema(schema[keyword]);
  }
  for (const keyword of SCHEMA_LIST_KEYWORDS) {
    const list = schema[keyword];
    if (Array.isArray(list)) schema[keyword] = list.map((item: Schema) => rewriteSchema(item));
  }
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const map = schema[keyword];
    if (isObject(map)) {
      schema[keyword] = Object.fromEntries(
        Object.entries(map).map(([name, item]) => [name, rewriteSchema(item as Schema)]),
      );
    }
  }
  const allOf = schema['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && '$ref' in allOf[0]) {
    // The referenced schema says what it is; a `type` beside the reference only repeats it.
    delete schema['allOf'];
    delete schema['type'];
    schema['$ref'] = allOf[0]['$ref'];
  }
  return schema['nullable'] === true ? allowNull(schema) : schema;
}

function allowNull(nullable: Schema): Schema {
  const { nullable: _nullable, ...schema } = nullable;
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(null))
    schema['enum'] = [...schema['enum'], null];
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const list = schema[keyword];
    if (Array.isArray(list)) {
      schema[keyword] = [...list, { type: 'null' }];
      return schema;
    }
  }
  if (typeof schema['type'] === 'string' && !('$ref' in schema)) {
    schema['type'] = [schema['type'], 'null'];
    return schema;
  }
  // A reference: keep the annotations here and offer the reference or null.
  const {
    description,
    title,
    example,
    default: fallback,
    readOnly,
    writeOnly,
    deprecated,
    ...value
  } = schema;
  const annotations = Object.fromEntries(
    Object.entries({
      title,
      description,
      example,
      default: fallback,
      readOnly,
      writeOnly,
      deprecated,
    }).filter(([, annotation]) => annotation !== undefined),
  );
  return { ...annotations, oneOf: [value, { type: 'null' }] };
}
