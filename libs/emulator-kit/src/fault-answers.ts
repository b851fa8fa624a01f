import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { JSON_CONTENT_TYPE, sendHtml, type Json } from './http-io';

/** The size of a `hugeBody` answer: far beyond any answer the emulated audience APIs document (KBs). */
export const HUGE_BODY_BYTES = 20 * 1024 * 1024;

/** A `missingFields` answer: `body` without the `used` fields a client acts on; `{}` when none are named. */
export function withoutFields(used: readonly string[] | undefined, body: Json): Json {
  if (!used) return {};
  return Object.fromEntries(Object.entries(body).filter(([field]) => !used.includes(field)));
}

/** The headers and the first half of the JSON answer, then the socket is destroyed mid-body. */
export function sendCutBody(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = JSON_CONTENT_TYPE,
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length });
  response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy());
}

/** A gateway's error page in the platform's place, with HTTP 200: `title`, `content`, a reference. */
export function sendNotJson(
  response: ServerResponse,
  page: { title: string; content: string; reference: string },
): void {
  sendHtml(
    response,
    200,
    `<!DOCTYPE html><html><head><title>${page.title}</title></head><body>${page.content}` +
      `<p>Reference: ${page.reference}</p>${'<!-- padding -->'.repeat(40)}</body></html>`,
  );
}

/**
 * A JSON body of HUGE_BODY_BYTES: `head`, padding, `tail` (the padding sits in a string `head` opens
 * and `tail` closes). Streamed at the socket's pace, never held; a client that stops reading and
 * closes the connection ends the stream.
 */
export async function sendHugeBody(
  response: ServerResponse,
  json: { head: string; tail: string },
  contentType = JSON_CONTENT_TYPE,
): Promise<void> {
  const head = Buffer.from(json.head);
  const tail = Buffer.from(json.tail);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const paddingBytes = HUGE_BODY_BYTES - head.length - tail.length;
  response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': HUGE_BODY_BYTES });
  async function* body() {
    yield head;
    for (let sent = 0; sent < paddingBytes; sent += chunk.length)
      yield sent + chunk.length <= paddingBytes ? chunk : chunk.subarray(0, paddingBytes - sent);
    yield tail;
  }
  // The client closing early is what a bounded client does: not an error of the emulator's.
  await pipeline(Readable.from(body()), response).catch(() => undefined);
}
