import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';

/** One request as it reached the fake TikTok, for specs to assert the wire contract. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. /open_api/v1.3/user/info/ */
  path: string;
  /** The raw query string, still percent-encoded (e.g. ?advertiser_ids=%5B%221%22%5D). */
  search: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A canned answer: a JSON value (sent as is) or raw text, with a status and headers. */
export interface CannedReply {
  status?: number;
  headers?: Record<string, string>;
  /** Sent verbatim: lets a spec send unquoted 19-digit ids that JSON.stringify could not write. */
  raw?: string;
  json?: unknown;
  /** Never answer (timeouts). */
  hang?: boolean;
  delayMs?: number;
}

export type ReplyFor = (request: RecordedRequest) => CannedReply;

export const API_PREFIX = '/open_api/v1.3';

/** TikTok's success envelope around `data`. */
export function ok(data: unknown, requestId = 'REQ-OK'): CannedReply {
  return { json: { code: 0, message: 'OK', request_id: requestId, data } };
}

/** TikTok's failure envelope: HTTP 200 with a non-zero code, as TikTok answers errors. */
export function tiktokError(code: number, message: string, requestId = 'REQ-ERR'): CannedReply {
  return { json: { code, message, request_id: requestId, data: {} } };
}

/**
 * A stand-in for TikTok on 127.0.0.1:0 that records every request and answers whatever the spec
 * queued (`reply`) or the default handler returns. No TikTok logic: the wire contract only.
 */
export class FakeTikTok {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: (CannedReply | ReplyFor)[] = [];
  private fallback: ReplyFor = () => ok({});
  private server?: Server;
  url = '';

  get baseUrl(): string {
    return `${this.url}${API_PREFIX}`;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers the next request with `reply` (queued in order). */
  reply(reply: CannedReply | ReplyFor): this {
    this.queue.push(reply);
    return this;
  }

  /** Answers every request not covered by `reply`. */
  otherwise(reply: CannedReply | ReplyFor): this {
    this.fallback = typeof reply === 'function' ? reply : () => reply;
    return this;
  }

  get last(): RecordedRequest {
    const request = this.requests[this.requests.length - 1];
    if (!request) throw new Error('the fake TikTok received no request');
    return request;
  }

  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.fallback = () => ok({});
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path: url.pathname,
      search: url.search,
      query: url.searchParams,
      headers: request.headers,
      body: Buffer.concat(chunks),
    };
    this.requests.push(recorded);
    const next = this.queue.shift() ?? this.fallback;
    const reply = typeof next === 'function' ? next(recorded) : next;
    if (reply.hang) return;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const text = reply.raw ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
    const type = reply.raw !== undefined || reply.json === undefined ? 'text/plain' : 'application/json';
    response.writeHead(reply.status ?? 200, { 'Content-Type': type, ...reply.headers }).end(text);
  }
}

export interface MultipartPart {
  name: string;
  value?: string;
  fileName?: string;
  bytes?: Buffer;
}

/** The parts of a recorded multipart/form-data body, in the order they were sent. */
export function parseMultipart(request: RecordedRequest): Promise<MultipartPart[]> {
  return new Promise((resolve, reject) => {
    const parts: MultipartPart[] = [];
    const files: Promise<void>[] = [];
    const parser = busboy({ headers: request.headers });
    parser.on('field', (name, value) => parts.push({ name, value }));
    parser.on('file', (name, stream, info) => {
      const part: MultipartPart = { name, fileName: info.filename };
      parts.push(part);
      const chunks: Buffer[] = [];
      files.push(
        new Promise((done, failed) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            part.bytes = Buffer.concat(chunks);
            done();
          });
          stream.on('error', failed);
        }),
      );
    });
    parser.on('error', reject);
    parser.on('close', () => void Promise.all(files).then(() => resolve(parts), reject));
    parser.end(request.body);
  });
}

/** The JSON body of a recorded request. */
export function jsonBody(request: RecordedRequest): unknown {
  return JSON.parse(request.body.toString('utf8'));
}
