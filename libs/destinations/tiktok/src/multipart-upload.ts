import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { readBoundedAnswer } from './bounded-answer';

/** A multipart/form-data POST of a few text fields and one file read from disk. */
export interface MultipartUpload {
  fields: ReadonlyArray<readonly [name: string, value: string]>;
  file: { field: string; path: string; name: string; size: number; contentType: string };
}

/** What came back, before the envelope is read: status, body, and TikTok's `X-Tt-Logid` if any. */
export interface RawAnswer {
  status: number;
  text: string;
  logId?: string;
}

/**
 * Sends the upload with the file streamed from disk at the socket's pace. Node's fetch reads a
 * FormData file (even a file-backed Blob or a pull stream) ahead of the socket, so a 250 MB customer
 * file cost ~260 MB of memory per upload; node:http with `pipeline` holds ~40 MB whatever the size.
 * Like the rest of the client it never follows a redirect (http.request does not).
 */
export async function postMultipart(
  url: URL,
  headers: Record<string, string>,
  upload: MultipartUpload,
  signal: AbortSignal,
): Promise<RawAnswer> {
  const boundary = `----conduit-${randomBytes(16).toString('hex')}`;
  const part = (disposition: string, extra = '') =>
    `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n${extra}\r\n`;
  const head = Buffer.from(
    upload.fields.map(([name, value]) => `${part(`name="${quoted(name)}"`)}${value}\r\n`).join('') +
      part(
        `name="${quoted(upload.file.field)}"; filename="${quoted(upload.file.name)}"`,
        `Content-Type: ${upload.file.contentType}\r\n`,
      ),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const transport = url.protocol === 'https:' ? https : http;
  const request = transport.request(url, {
    method: 'POST',
    headers: {
      ...headers,
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': String(head.length + upload.file.size + tail.length),
    },
    signal,
  });
  const answered = once(request, 'response') as Promise<[http.IncomingMessage]>;
  // A server may answer (and close) before the whole body is sent: its answer is what counts then.
  let response: http.IncomingMessage | undefined;
  answered.then(([value]) => (response = value)).catch(() => undefined);
  async function* body() {
    yield head;
    yield* createReadStream(upload.file.path, { signal });
    yield tail;
  }
  const sending = pipeline(body, request).catch((error: unknown) => {
    if (!response) throw error;
  });
  // An answer before the whole file is sent (a refusal: a revoked token, a parameter TikTok checks
  // first) is not waited on: without this, the call hangs until the server drops the connection.
  const [answer] = await Promise.race([answered, sending.then(() => answered)]);
  let text: string;
  try {
    text = await readBoundedAnswer(answer, answer.headers['content-length']);
  } finally {
    // The rest of the file is not wanted once TikTok has answered; the socket is not reused either.
    if (!request.writableFinished) request.destroy();
    await sending.catch(() => undefined);
  }
  const logId = answer.headers['x-tt-logid'];
  return { status: answer.statusCode ?? 0, text, logId: typeof logId === 'string' ? logId : undefined };
}

/** RFC 7578 §2: `"` and line breaks percent-encoded in a quoted name. */
function quoted(value: string): string {
  return value.replace(/["\r\n]/g, (char) => encodeURIComponent(char));
}
