import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { fail, TikTokCode } from './tiktok-codes';

/**
 * Validates requests against TikTok's own OpenAPI fragments (spec/*.yml, MIT, copied verbatim from
 * TikTok's SDK). Violations answer 40002 with a message naming the field, as TikTok does.
 */
type JsonSchema = Record<string, unknown>;

interface Operation {
  query: ValidateFunction;
  /** Query parameters TikTok sends as JSON-encoded strings (`custom_audience_ids=["1","2"]`). */
  jsonQuery: Set<string>;
  body?: ValidateFunction;
}

const SPEC_DIR = join(__dirname, 'spec');
/** The fragments declare Access-Token as a query parameter; TikTok and every SDK send it as a header. */
const HEADER_PARAMETERS = new Set(['Access-Token']);

export class SpecValidator {
  private readonly operations = new Map<string, Operation>();

  constructor(specDir = SPEC_DIR) {
    const queryAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, validateFormats: false });
    const bodyAjv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    for (const file of readdirSync(specDir).filter((name) => name.endsWith('.yml'))) {
      const document = parse(readFileSync(join(specDir, file), 'utf8')) as {
        paths: Record<string, Record<string, JsonSchema>>;
      };
      for (const [path, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          this.operations.set(key(method, path), compile(operation, queryAjv, bodyAjv));
        }
      }
    }
  }

  /** Paths (relative to /open_api/v1.3) that have a fragment. */
  get paths(): string[] {
    return [...this.operations.keys()];
  }

  /**
   * Validates and returns the query with JSON-encoded parameters decoded. Throws 40002 on the first
   * violations (all of them listed in the message).
   */
  validateQuery(method: string, path: string, raw: Record<string, string>): Record<string, unknown> {
    const operation = this.operations.get(key(method, path));
    if (!operation) return raw;
    const query: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(raw)) {
      if (HEADER_PARAMETERS.has(name)) continue;
      if (operation.jsonQuery.has(name)) {
        try {
          query[name] = JSON.parse(value);
        } catch {
          fail(TikTokCode.PARAM_INVALID, `${name}: must be a JSON-encoded list, e.g. ${name}=["123"]`);
        }
      } else {
        query[name] = value;
      }
    }
    if (!operation.query(query)) fail(TikTokCode.PARAM_INVALID, describe(operation.query.errors ?? []));
    return query;
  }

  validateBody(method: string, path: string, body: unknown): void {
    const operation = this.operations.get(key(method, path));
    if (!operation?.body) return;
    if (!operation.body(body)) fail(TikTokCode.PARAM_INVALID, describe(operation.body.errors ?? []));
  }
}

function key(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

function compile(operation: JsonSchema, queryAjv: Ajv, bodyAjv: Ajv): Operation {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const jsonQuery = new Set<string>();
  for (const parameter of (operation['parameters'] as JsonSchema[] | undefined) ?? []) {
    const name = parameter['name'] as string;
    if (parameter['in'] !== 'query' || HEADER_PARAMETERS.has(name)) continue;
    const content = parameter['content'] as Record<string, { schema: JsonSchema }> | undefined;
    if (content?.['application/json']) jsonQuery.add(name);
    properties[name] = toJsonSchema(
      content?.['application/json']?.schema ?? (parameter['schema'] as JsonSchema) ?? {},
    );
    if (parameter['required']) required.push(name);
  }
  const query = queryAjv.compile({ type: 'object', properties, required });
  const requestBody = operation['requestBody'] as
    | { content: Record<string, { schema: JsonSchema }> }
    | undefined;
  const bodySchema = requestBody && Object.values(requestBody.content)[0]?.schema;
  return { query, jsonQuery, body: bodySchema ? bodyAjv.compile(toJsonSchema(bodySchema)) : undefined };
}

/** OpenAPI 3.0 schema → JSON Schema: TikTok's strict `x-open-enum` becomes `enum`; other extensions go. */
function toJsonSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [name, value] of Object.entries(schema)) {
    if (name.startsWith('x-') || name === 'default' || name === 'description' || name === 'example') continue;
    if (name === 'properties') {
      out[name] = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    } else if (name === 'items') {
      out[name] = toJsonSchema(value as JsonSchema);
    } else {
      out[name] = value;
    }
  }
  const openEnum = schema['x-open-enum'] as
    | { strict?: boolean; enums?: { key: string; is_valid?: boolean }[] }
    | undefined;
  if (openEnum?.strict && openEnum.enums) {
    out['enum'] = openEnum.enums.filter((entry) => entry.is_valid !== false).map((entry) => entry.key);
  }
  return out;
}

function describe(errors: ErrorObject[]): string {
  const messages = errors.map((error) => {
    const path = error.instancePath
      .split('/')
      .filter(Boolean)
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join('')
      .replace(/^\./, '');
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return `${path ? `${path}.` : ''}${missing}: is required`;
    }
    if (error.keyword === 'enum') {
      return `${path}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    return `${path || 'body'}: ${error.message ?? 'is invalid'}`;
  });
  return [...new Set(messages)].join('; ');
}
