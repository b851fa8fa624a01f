import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

type Json = Record<string, unknown>;

/** The size of a `hugeBody` answer: far beyond any answer TikTok documents (tens of KB at most). */
export const HUGE_BODY_BYTES = 20 * 1024 * 1024;

/**
 * What a client acts on in each path's `data` (the connector: a token, an id, a file path, page
 * totals, an audience's state): a `missingFields` answer leaves these out and keeps the rest. A path
 * not listed loses all of its `data`.
 */
export const USED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '/oauth2/access_token/': ['access_token'],
  '/oauth2/advertiser/get/': ['list'],
  '/advertiser/info/': ['list'],
  '/dmp/custom_audience/file/upload/': ['file_path'],
  '/dmp/custom_audience/create/': ['custom_audience_id'],
  '/dmp/custom_audience/update/': ['custom_audience_id'],
  '/dmp/custom_audience/list/': ['list', 'page_info'],
  '/dmp/custom_audience/get/': ['list'],
};

export function withoutUsedFields(path: string, data: Json): Json {
  const used = USED_FIELDS[path];
  if (!used) return {};
  return Object.fromEntries(Object.entries(data).filter(([field]) => !used.includes(field)));
}

/** The headers and the first half of the JSON answer, then the socket is destroyed mid-body. */
export function sendCutBody(response: ServerResponse, envelope: unknown): void {
  const body = Buffer.from(JSON.stringify(envelope));
  response.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
  });
  response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy());
}

/** A gateway's page instead of TikTok's answer, with HTTP 200. */
export function sendNotJson(response: ServerResponse, requestId: string): void {
  const html =
    '<!DOCTYPE html><html><head><title>Service notice</title></head><body>' +
    '<h1>We are sorry, the page is temporarily unavailable.</h1>' +
    `<p>Reference: ${requestId}</p>${'<!-- padding -->'.repeat(40)}</body></html>`;
  response
    .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) })
    .end(html);
}

/** JSON, HTTP 200, but none of TikTok's envelope (no code, message or data). */
export function sendNoEnvelope(response: ServerResponse, requestId: string): void {
  const text = JSON.stringify({ status: 'success', result: 'accepted', request_id: requestId });
  response
    .writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

/**
 * A valid envelope padded to HUGE_BODY_BYTES, streamed at the socket's pace (the emulator never holds
 * it); a client that stops reading and closes the connection ends the stream.
 */
export async function sendHugeBody(response: ServerResponse, requestId: string): Promise<void> {
  const head = Buffer.from(`{"code":0,"message":"OK","request_id":"${requestId}","data":{"padding":"`);
  const tail = Buffer.from('"}}');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const paddingBytes = HUGE_BODY_BYTES - head.length - tail.length;
  response.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': HUGE_BODY_BYTES,
  });
  async function* body() {
    yield head;
    for (let sent = 0; sent < paddingBytes; sent += chunk.length)
      yield sent + chunk.length <= paddingBytes ? chunk : chunk.subarray(0, paddingBytes - sent);
    yield tail;
  }
  // The client closing early is what a bounded client does: not an error of the emulator's.
  await pipeline(Readable.from(body()), response).catch(() => undefined);
}
