import type { IncomingMessage, ServerResponse } from 'node:http';

export type Json = Record<string, unknown>;

/** JSON as the emulators answer it by default (Meta's Graph spells it `charset=UTF-8`). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A body larger than `limit` bytes: the reader stops and says so (never buffers more). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/**
 * Reads a body up to `limit` bytes; past it, throws what `tooLarge` makes (by default a
 * BodyTooLargeError; a platform may answer its own error instead) and never buffers more.
 */
export async function readBody(
  request: IncomingMessage,
  limit: number,
  tooLarge: (limit: number) => Error = (bytes) => new BodyTooLargeError(bytes),
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON answer with its length; `headers` come first, so they cannot replace the content headers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = JSON_CONTENT_TYPE,
): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      ...headers,
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

export function sendHtml(response: ServerResponse, status: number, html: string): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
    })
    .end(html);
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
