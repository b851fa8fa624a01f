import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { OutgoingHttpHeaders } from 'node:http';
import { hostileString, mutatedValue, schemaValue, type ValueContext } from './json-values';
import type { FuzzOperation } from './operations';
import type { RawRequest } from './raw-http';

export interface Credentials {
  /** The fuzzing company's key. */
  apiKey: string;
  /** Another company's key: its requests must see none of the fuzzing company's resources. */
  otherApiKey: string;
}

/** A body of 1 MB and a bit: one past the JSON limit. */
const OVERSIZED = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 16) });
/** 64 MB of zeros compress to about 64 KB: the JSON limit must apply to what a body inflates to. */
const GZIP_BOMB = gzipSync(Buffer.alloc(64 * 1024 * 1024, '['.charCodeAt(0)));

/** A generated request for one operation: hostile path ids, query, headers and body. */
export function fuzzRequest(
  operation: FuzzOperation,
  context: ValueContext,
  credentials: Credentials,
): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      path: pathOf(operation, context),
      query: queryOf(operation, context),
      headers: headersOf(credentials),
      body: bodyOf(operation, context),
    })
    .map(({ path, query, headers, body }) => ({
      method: operation.method,
      url: query ? `${path}?${query}` : path,
      headers: { ...headers, ...body?.headers },
      body: body?.bytes,
    }));
}

/**
 * Percent-encodes every byte but the unreserved ones. Unlike encodeURIComponent it takes any string:
 * a lone surrogate goes out as the UTF-8 of U+FFFD instead of throwing.
 */
function percentEncoded(value: string): string {
  let encoded = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

// -- path ------------------------------------------------------------------------------------------

/** Segments that reach the router raw (not percent-encoded): bad escapes, traversal, NUL. */
const RAW_SEGMENTS = ['%zz', '%', '%00', '%2e%2e', '..', '%2F', '%c0%ae', 'a%00b'];

function pathOf(operation: FuzzOperation, context: ValueContext): fc.Arbitrary<string> {
  const values = operation.pathParams.map((name) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.nat().map((i) => percentEncoded(context.ids.pick(name, i) ?? 'none')) },
      { weight: 2, arbitrary: hostileString.map((value) => percentEncoded(value.slice(0, 4000))) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    ),
  );
  return fc.tuple(...values).map((filled) => {
    let index = 0;
    return operation.path.replace(/\{[^}]+\}/g, () => filled[index++] as string);
  });
}

// -- query -----------------------------------------------------------------------------------------

type QueryPair = [key: string, value: string];

/** Query pairs nobody documents: repeats, bracket syntax, NUL, huge values, bad escapes. */
const hostileQueryPair: fc.Arbitrary<QueryPair> = fc.oneof(
  fc.constantFrom<QueryPair>(
    ['limit', '1&limit=2'],
    ['cursor[a]', 'b'],
    ['limit[]', '1'],
    ['__proto__[x]', '1'],
    ['cursor', '%00'],
    ['limit', '%zz'],
    ['limit', '1e3'],
    ['limit', '-5'],
    ['limit', '0x10'],
    ['cursor', 'eyJpZCI6IngifQ'],
    ['force', 'maybe'],
  ),
  hostileString.map((value): QueryPair => ['cursor', percentEncoded(value.slice(0, 8000))]),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
    .map(([key, value]): QueryPair => [percentEncoded(key), percentEncoded(value)]),
);

function queryOf(operation: FuzzOperation, context: ValueContext): fc.Arbitrary<string> {
  const documented = operation.query.map(({ name, schema }) =>
    fc.option(
      schemaValue(schema, context, name).map((value): QueryPair => [name, percentEncoded(String(value))]),
      { freq: 2 },
    ),
  );
  return fc
    .tuple(fc.tuple(...documented), fc.array(hostileQueryPair, { maxLength: 3 }))
    .map(([known, hostile]) =>
      [...known.filter((pair): pair is QueryPair => pair !== null), ...hostile]
        .map(([key, value]) => `${key}=${value}`)
        .join('&'),
    );
}

// -- headers ---------------------------------------------------------------------------------------

/** Header values Node lets through (visible ASCII and Latin-1) but a handler may not expect. */
const weirdHeaderValue = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter(isHeaderCharacter)
      .map((code) => String.fromCharCode(code)),
    maxLength: 60,
  }),
  fc.integer({ min: 256, max: 12_000 }).map((length) => 'k'.repeat(length)),
  fc.constantFrom(' ', 'a b', '"quoted"', 'clé', '\t'),
);

/** Node refuses to send DEL (0x7f) in a header value; every other code point up to 0xff goes out. */
function isHeaderCharacter(code: number): boolean {
  return code !== 0x7f;
}

function headersOf(credentials: Credentials): fc.Arbitrary<OutgoingHttpHeaders> {
  const authorization = fc.oneof(
    { weight: 14, arbitrary: fc.constant(`Bearer ${credentials.apiKey}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${credentials.otherApiKey}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', `bearer ${credentials.apiKey}`, 'Bearer cdt_x.y'),
        weirdHeaderValue.map((value) => `Bearer ${value}`),
      ),
    },
  );
  const idempotencyKey = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: weirdHeaderValue },
  );
  const requestId = fc.option(weirdHeaderValue, { freq: 8 });
  return fc.record({ authorization, idempotencyKey, requestId }).map((picked) => {
    const headers: OutgoingHttpHeaders = {};
    if (picked.authorization !== undefined) headers['authorization'] = picked.authorization;
    if (picked.idempotencyKey !== undefined) headers['idempotency-key'] = picked.idempotencyKey;
    if (picked.requestId !== null) headers['x-request-id'] = picked.requestId;
    return headers;
  });
}

// -- body ------------------------------------------------------------------------------------------

interface FuzzBody {
  bytes: Buffer;
  headers: OutgoingHttpHeaders;
}

/** JSON texts no schema produces: too deep, polluting, cut short, not an object, too large. */
function hostileJsonText(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(fc.integer({ min: 33, max: 20_000 }), fc.boolean())
      .map(([depth, arrays]) =>
        arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      ),
    valid.map((value) => `{"__proto__":{"polluted":true},${JSON.stringify(value).slice(1)}`),
    valid
      .map((value) => JSON.stringify(value))
      .chain((text) => fc.nat({ max: Math.max(text.length - 1, 0) }).map((cut) => text.slice(0, cut))),
    fc.constantFrom('', 'null', '"x"', '42', 'true', '[]', '{', '{"a":1,}', "{'a':1}", '\ufeff{}', 'NaN'),
    fc.constant(OVERSIZED),
  );
}

/** How the bytes travel: the media type, its charset and the Content-Encoding. */
const transport = fc.record({
  contentType: fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'application/json; charset=bogus',
        'application/json; charset=utf-7',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/json; charset=utf-bogus',
        'application/merge-patch+json',
        'application/json; boundary=x; charset="utf-8"',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=x',
        'application/xml',
        ';;;',
        '',
      ),
    },
  ),
  encoding: fc.oneof(
    { weight: 14, arbitrary: fc.constant('identity') },
    { weight: 3, arbitrary: fc.constantFrom('gzip', 'deflate', 'gzip-bomb', 'gzip-as-plain', 'br-as-plain') },
    {
      weight: 2,
      arbitrary: fc.constantFrom('compress', 'x-unknown', 'gzip, gzip', 'zstd', 'identity, gzip'),
    },
  ),
});

function encoded(text: string, encoding: string): FuzzBody {
  const plain = Buffer.from(text, 'utf8');
  switch (encoding) {
    case 'identity':
      return { bytes: plain, headers: {} };
    case 'gzip':
      return { bytes: gzipSync(plain), headers: { 'content-encoding': 'gzip' } };
    case 'deflate':
      return { bytes: deflateSync(plain), headers: { 'content-encoding': 'deflate' } };
    case 'gzip-bomb':
      return { bytes: GZIP_BOMB, headers: { 'content-encoding': 'gzip' } };
    case 'gzip-as-plain':
      return { bytes: plain, headers: { 'content-encoding': 'gzip' } };
    case 'br-as-plain':
      return { bytes: plain, headers: { 'content-encoding': 'br' } };
    default:
      return { bytes: plain, headers: { 'content-encoding': encoding } };
  }
}

function bodyOf(operation: FuzzOperation, context: ValueContext): fc.Arbitrary<FuzzBody | undefined> {
  if (operation.body?.kind === 'multipart') {
    // Uploads have their own suite (hostile CSVs); here a few bodies of the wrong kind.
    return fc.option(
      fc.constantFrom('{}', 'email\na@example.com\n').map((text) => encoded(text, 'identity')),
    );
  }
  const valid = operation.body ? schemaValue(operation.body.schema, context) : fc.constant({});
  const text = fc.oneof(
    { weight: 3, arbitrary: valid.map((value) => JSON.stringify(value)) },
    { weight: 5, arbitrary: mutatedValue(valid).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 2, arbitrary: hostileJsonText(valid) },
  );
  const body = fc.tuple(text, transport).map(([json, { contentType, encoding }]) => {
    const sent = encoded(json, encoding);
    return { bytes: sent.bytes, headers: { ...sent.headers, 'content-type': contentType } };
  });
  // Operations without a body get one now and then: a GET or DELETE with a body must not break either.
  return operation.body ? body : fc.option(body, { freq: 6 });
}
