import type { IncomingMessage, ServerResponse } from 'node:http';
import { ulid } from 'ulid';

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's `X-Request-Id` when it is sane, otherwise mints one, and echoes it back. */
export function requestId(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : ulid();
  response.setHeader('X-Request-Id', id);
  return id;
}
