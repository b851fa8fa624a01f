import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';
import { documentedOperations } from './api-operations';

/**
 * The committed OpenAPI document (apps/api/openapi.json) as a checker of real answers: every response
 * an e2e spec receives must be one the contract documents — its operation, its status, its media type,
 * its documented headers and its body schema. A status or a body the document does not describe fails
 * the request that received it, so the contract cannot drift from behaviour unnoticed.
 */
export const OPENAPI_DOCUMENT_PATH = join(__dirname, '..', 'openapi.json');

/** What the checker needs of a response (supertest's and fetch's both fit). */
export interface ObservedResponse {
  method: string;
  /** The request path, with or without its query. */
  url: string;
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}
interface Operation {
  operationId?: string;
  responses: Record<string, Response>;
}
interface Response {
  content?: Record<string, { schema?: object }>;
  headers?: Record<string, { required?: boolean; schema?: object }>;
}

/** Headers a client acts on: when an answer carries one, its response must document it. */
const CONTRACT_HEADERS = [
  'x-request-id',
  'www-authenticate',
  'idempotent-replayed',
  'location',
  'retry-after',
];

/**
 * What the API serves that is not an operation of the contract: the docs, the OAuth return page and
 * the operators' Prometheus scrape (`/metrics`, its own text format).
 */
const UNDOCUMENTED_PREFIXES = ['/docs', '/oauth/result', '/metrics'];

/**
 * Refusals answered before routing, whatever the path (a body or query the HTTP layer refuses, headers
 * too large): every operation documents them, and a path that is no operation may earn them too.
 */
const BEFORE_ROUTING = new Set([400, 413, 415, 431]);

export class OpenApiContract {
  private readonly ajv: Ajv2020;
  private readonly routes: { method: string; template: string; pattern: RegExp; operation: Operation }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument & Record<string, unknown>) {
    this.ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, 'openapi.json');
    this.routes = documentedOperations(document as unknown as OpenAPIObject)
      .map(({ method, path }) => ({
        method: method.toUpperCase(),
        template: path,
        // As Express routes: case-insensitive, a trailing slash allowed, a parameter one segment.
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i'),
        operation: document.paths[path]?.[method] as Operation,
      }))
      // A literal segment wins over a parameter (`/segments/preview` before `/segments/{id}`).
      .sort((a, b) => literalWeight(b.template) - literalWeight(a.template));
  }

  static load(path = OPENAPI_DOCUMENT_PATH): OpenApiContract {
    return new OpenApiContract(JSON.parse(readFileSync(path, 'utf8')));
  }

  /** The contract's objections to a response; an empty list when it conforms. */
  violations(response: ObservedResponse): string[] {
    const method = response.method.toUpperCase();
    const path = routedPath(response.url);
    if (UNDOCUMENTED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return [];
    const onPath = this.routes.filter((route) => route.pattern.test(path));
    // HEAD is answered by the GET route, without a body.
    const route = onPath.find((candidate) => candidate.method === (method === 'HEAD' ? 'GET' : method));
    if (!route) {
      // Not an operation: the answer must be the route/method error in the one error shape.
      const expected = onPath.length > 0 ? 405 : 404;
      if (response.status !== expected && !BEFORE_ROUTING.has(response.status)) {
        return [`${method} ${path} is not an operation of the contract, yet answered ${response.status}`];
      }
      const problems: string[] = [];
      if (response.status === 405) {
        // RFC 9110 §15.5.6: a 405 lists the methods the path offers in `Allow`.
        const allow = String(response.headers['allow'] ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
        const missing = onPath.map((candidate) => candidate.method).filter((name) => !allow.includes(name));
        if (response.headers['allow'] === undefined)
          problems.push(`${method} ${path} → 405: no Allow header`);
        else if (missing.length > 0) {
          problems.push(`${method} ${path} → 405: Allow (${allow.join(', ')}) misses ${missing.join(', ')}`);
        }
      }
      // Node answers a 431 itself, without a body.
      if (method !== 'HEAD' && response.status !== 431) {
        problems.push(...this.check('#/components/schemas/ErrorResponseDto', response.body, 'body'));
      }
      return problems;
    }
    const where = `${method} ${route.template} → ${response.status}`;
    // `default` documents the error shape of failures not listed one by one: errors only.
    const statusKey = [
      String(response.status),
      `${String(response.status)[0]}XX`,
      ...(response.status >= 400 ? ['default'] : []),
    ].find((key) => key in route.operation.responses);
    const responses = route.operation.responses;
    if (!statusKey) {
      return [`${where}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
    }
    const documented = responses[statusKey] as Response;
    const pointer = `#/paths/${escapePointer(route.template)}/${route.method.toLowerCase()}/responses/${statusKey}`;
    const problems: string[] = [];
    const documentedHeaders = new Set(
      Object.keys(documented.headers ?? {}).map((name) => name.toLowerCase()),
    );
    for (const name of CONTRACT_HEADERS) {
      if (response.headers[name] !== undefined && !documentedHeaders.has(name)) {
        problems.push(`${where}: answered header ${name}, which the response does not document`);
      }
    }
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`${where}: required header ${name} missing`);
        continue;
      }
      if (header.schema) {
        problems.push(
          ...this.check(`${pointer}/headers/${escapePointer(name)}/schema`, value, `header ${name}`).map(
            (problem) => `${where}: ${problem}`,
          ),
        );
      }
    }
    const content = documented.content ?? {};
    const mediaType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    const hasBody = method !== 'HEAD' && response.status !== 204 && response.status !== 304;
    if (!hasBody || (Object.keys(content).length === 0 && !mediaType)) return problems;
    if (!mediaType || !(mediaType in content)) {
      problems.push(
        `${where}: answered ${mediaType || 'no Content-Type'}, documented: ${Object.keys(content).join(', ') || 'no body'}`,
      );
      return problems;
    }
    if (content[mediaType]?.schema && /json/.test(mediaType)) {
      problems.push(
        ...this.check(`${pointer}/content/${escapePointer(mediaType)}/schema`, response.body, 'body').map(
          (problem) => `${where}: ${problem}`,
        ),
      );
    }
    return problems;
  }

  /** Throws with every objection, naming the request, when a response breaks the contract. */
  assert(response: ObservedResponse): void {
    const problems = this.violations(response);
    if (problems.length > 0) {
      throw new Error(
        `The response breaks the OpenAPI contract (apps/api/openapi.json):\n  ${problems.join('\n  ')}`,
      );
    }
  }

  private check(pointer: string, value: unknown, what: string): string[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 10).map((error) => `${what}${describe(error)}`);
  }
}

/**
 * `fetch` whose every answer is checked against the contract: a violation rejects the call, naming
 * it. For specs that talk to a listening server rather than through the harness's supertest agent.
 */
export function contractCheckedFetch(contract: OpenApiContract = OpenApiContract.load()): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    const type = response.headers.get('content-type') ?? '';
    const body: unknown = /json/.test(type) ? await response.clone().json() : undefined;
    contract.assert({
      method: request.method,
      url: request.url,
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body,
    });
    return response;
  };
}

function describe(error: ErrorObject): string {
  const params = Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
  return `${error.instancePath || ''} ${error.message ?? 'is invalid'}${params}`;
}

/**
 * The path as the server routes it: without scheme, host and query, and raw — Express does not resolve
 * `..` or `%2e%2e` (they reach a route as a parameter), so neither does the checker. (A fetch URL
 * arrives already resolved, as the server then receives it.)
 */
function routedPath(url: string): string {
  const withoutOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  return withoutOrigin.split(/[?#]/, 1)[0] || '/';
}

function literalWeight(template: string): number {
  return template.split('/').filter((segment) => segment && !segment.startsWith('{')).length;
}

/** A JSON Pointer token: `~` → `~0`, `/` → `~1`, then URI-encoded for a `$ref`. */
function escapePointer(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}
