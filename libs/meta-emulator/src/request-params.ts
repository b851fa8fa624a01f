import type { IncomingMessage } from 'node:http';
import { GraphCode } from '@conduit/destinations-meta-wire';
import busboy from 'busboy';
import { fail, invalidParameter } from './graph-errors';
import { BodyTooLargeError, readBody, type Json } from './http-io';

/** Graph refuses requests with too many parameters (code 105); no call of the connector sends 20. */
export const MAX_PARAMETERS = 100;
/** The longest plain (non-JSON) parameter value accepted: names, descriptions, ids, tokens. */
export const MAX_PLAIN_PARAMETER_LENGTH = 4096;

/**
 * A Graph call's parameters from wherever the client put them (reference §0): the query string, a
 * form body (urlencoded or multipart, `payload` and `session` as JSON strings) or a JSON body (objects
 * as objects). The body wins over the query for the same name.
 */
export async function readParams(
  request: IncomingMessage,
  query: URLSearchParams,
  limit: number,
): Promise<Json> {
  const params: Json = Object.fromEntries(query);
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  const length = Number(request.headers['content-length'] ?? 0);
  if (length > limit) {
    request.resume();
    tooLarge(limit);
  }
  let body: Json = {};
  try {
    if (type.startsWith('multipart/form-data')) body = await readMultipart(request, limit);
    else {
      const bytes = await readBody(request, limit);
      if (bytes.length > 0) body = parseBody(type, bytes.toString('utf8'));
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) tooLarge(limit);
    throw error;
  }
  Object.assign(params, body);
  if (Object.keys(params).length > MAX_PARAMETERS)
    fail(
      GraphCode.TOO_MANY_PARAMETERS,
      '(#105) The number of parameters exceeded the maximum for this operation',
    );
  return params;
}

function tooLarge(limit: number): never {
  return invalidParameter(
    `The request body is larger than the ${limit} bytes accepted. Send fewer rows per request.`,
  );
}

function parseBody(type: string, text: string): Json {
  if (type.startsWith('application/json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return invalidParameter('The request body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return invalidParameter('The JSON request body must be an object of parameters.');
    return value as Json;
  }
  // Form-encoded, and what curl sends without a type.
  return Object.fromEntries(new URLSearchParams(text));
}

function readMultipart(request: IncomingMessage, limit: number): Promise<Json> {
  return new Promise((resolve, reject) => {
    const fields: Json = {};
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: { fieldSize: limit, fields: MAX_PARAMETERS + 1, files: 0 },
      });
    } catch {
      request.resume();
      reject(invalidError('Malformed multipart body.'));
      return;
    }
    let truncated = false;
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) truncated = true;
      fields[name] = value;
    });
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('error', () => reject(invalidError('Malformed multipart body.')));
    parser.on('close', () => (truncated ? reject(new BodyTooLargeError(limit)) : resolve(fields)));
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.unpipe(parser);
        request.resume();
        reject(new BodyTooLargeError(limit));
      }
    });
    request.pipe(parser);
  });
}

function invalidError(detail: string): Error {
  try {
    return invalidParameter(detail);
  } catch (error) {
    return error as Error;
  }
}

/** The access token: the `access_token` parameter, else an `Authorization: Bearer|OAuth` header. */
export function accessTokenOf(request: IncomingMessage, params: Json): string | undefined {
  const param = params['access_token'];
  if (typeof param === 'string' && param !== '') return param;
  const header = request.headers.authorization;
  const match = header ? /^(?:Bearer|OAuth)\s+(\S{1,4096})$/i.exec(header) : null;
  return match ? match[1] : undefined;
}

/** POST with `method=DELETE` (or GET) acts as that method (reference §0). */
export function effectiveMethod(method: string, params: Json): string {
  const override = params['method'];
  if (method === 'POST' && typeof override === 'string' && ['DELETE', 'GET'].includes(override.toUpperCase()))
    return override.toUpperCase();
  return method;
}

/** A plain string parameter: a number in a JSON body is taken as its text. */
export function stringParam(
  params: Json,
  name: string,
  options: { required?: boolean; maxLength?: number } = {},
): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') {
    if (options.required) invalidParameter(`The parameter ${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    return invalidParameter(`Param ${name} must be a string`);
  const text = String(value);
  if (text.length > (options.maxLength ?? MAX_PLAIN_PARAMETER_LENGTH))
    invalidParameter(
      `Param ${name} is longer than ${options.maxLength ?? MAX_PLAIN_PARAMETER_LENGTH} characters`,
    );
  return text;
}

/** A parameter Meta takes as a JSON string in a form (`payload`, `session`) or as an object in JSON. */
export function jsonParam(params: Json, name: string): unknown {
  const value = params[name];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return invalidParameter(`Param ${name} must be a JSON encoded string`);
  }
}

/** `fields=id,name,…`: at most 50 names. */
export function fieldsParam(params: Json, defaults: readonly string[]): string[] {
  const text = stringParam(params, 'fields');
  if (!text) return [...defaults];
  const fields = text
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  if (fields.length > 50) invalidParameter('Too many fields requested');
  return [...new Set(fields)];
}
