import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Json } from './http-io';

/** The size of a `hugeBody` answer: far beyond any answer of the audience endpoints (KBs). */
export const HUGE_BODY_BYTES = 20 * 1024 * 1024;

/**
 * What a connector acts on in each route's answer: a `missingFields` answer leaves these out and keeps
 * the rest. A route not listed answers `{}`.
 */
export const USED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'GET /oauth/access_token': ['access_token'],
  'POST /oauth/access_token': ['access_token'],
  'GET /debug_token': ['data'],
  'GET /me/adaccounts': ['data'],
  'GET /act_{ad_account_id}': ['tos_accepted'],
  'POST /act_{ad_account_id}/customaudiences': ['id'],
  'GET /act_{ad_account_id}/customaudiences': ['data'],
  'GET /{audience_id}': [
    'operation_status',
    'approximate_count_lower_bound',
    'approximate_count_upper_bound',
  ],
  'POST /{audience_id}/users': ['num_received', 'session_id'],
  'DELETE /{audience_id}/users': ['num_received', 'session_id'],
  'POST /{audience_id}/usersreplace': ['num_received', 'session_id'],
};

export function withoutUsedFields(route: string, body: Json): Json {
  const used = USED_FIELDS[route];
  if (!used) return {};
  return Object.fromEntries(Object.entries(body).filter(([field]) => !used.includes(field)));
}

/** The headers and the first half of the JSON answer, then the socket is destroyed mid-body. */
export function sendCutBody(response: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': bytes.length,
  });
  response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy());
}

/** A gateway's page instead of Graph's answer, with HTTP 200. */
export function sendNotJson(response: ServerResponse, fbtraceId: string): void {
  const html =
    '<!DOCTYPE html><html><head><title>Facebook | Error</title></head><body>' +
    "<h1>Sorry, something went wrong.</h1><p>We're working on it and we'll get it fixed as soon as we can.</p>" +
    `<p>Reference: ${fbtraceId}</p>${'<!-- padding -->'.repeat(40)}</body></html>`;
  response
    .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) })
    .end(html);
}

/** A JSON body padded to HUGE_BODY_BYTES, streamed at the socket's pace (never held in memory). */
export async function sendHugeBody(response: ServerResponse): Promise<void> {
  const head = Buffer.from('{"data":[],"padding":"');
  const tail = Buffer.from('"}');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const paddingBytes = HUGE_BODY_BYTES - head.length - tail.length;
  response.writeHead(200, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': HUGE_BODY_BYTES,
  });
  async function* body() {
    yield head;
    for (let sent = 0; sent < paddingBytes; sent += chunk.length)
      yield sent + chunk.length <= paddingBytes ? chunk : chunk.subarray(0, paddingBytes - sent);
    yield tail;
  }
  // A bounded client closing early is expected, not an error of the emulator's.
  await pipeline(Readable.from(body()), response).catch(() => undefined);
}
