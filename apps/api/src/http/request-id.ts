import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeTime } from 'ulid';

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Crockford base 32, as ULIDs are written. */
const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16;
/**
 * Random bytes for 256 ids, refilled when used up: the ulid package asks the OS for each of an id's 16
 * random characters (16 getrandom calls a request, ~2-3 % of the API's CPU under load).
 */
const pool = Buffer.alloc(RANDOM_CHARS * 256);
let used = pool.length;

/** A ULID (time, then 80 random bits): sortable by when the request came, unique in practice. */
export function newRequestId(now = Date.now()): string {
  if (used + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let random = '';
  // 256 is a multiple of 32: every character is equally likely.
  for (let index = 0; index < RANDOM_CHARS; index++) random += ENCODING[(pool[used++] as number) & 31];
  return encodeTime(now, 10) + random;
}

/** Keeps a caller's `X-Request-Id` when it is sane, otherwise mints one, and echoes it back. */
export function requestId(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : newRequestId();
  response.setHeader('X-Request-Id', id);
  return id;
}
