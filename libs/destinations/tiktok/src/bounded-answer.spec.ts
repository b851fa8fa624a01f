import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderApiError,
  RetryableError,
} from '@conduit/destinations-core';
import { AnswerCutError, AnswerTooLargeError, MAX_ANSWER_BYTES, readBoundedAnswer } from './bounded-answer';
import { TikTokClient } from './tiktok.client';

// Answers no TikTok should send: larger than any documented one, cut mid-body, not the envelope.
// The client reads at most MAX_ANSWER_BYTES of any of them and says what was wrong, never quoting it.

const TOKEN = 'tok-5f0c1e9a7b3d4c2e8f6a';
type Answer = (response: ServerResponse) => void;
let answer: Answer;
let sentBytes = 0;
let server: Server;
let client: TikTokClient;
let directory: string;
let file: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new TikTokClient({ baseUrl: `http://127.0.0.1:${port}/open_api/v1.3`, timeoutMs: 5000 });
  directory = mkdtempSync(join(tmpdir(), 'bounded-answer-spec-'));
  file = join(directory, 'audience.csv');
  writeFileSync(file, 'a'.repeat(64));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

beforeEach(() => {
  sentBytes = 0;
});

/** An answer of `bytes` streamed chunk by chunk, with or without a Content-Length. */
function endless(bytes: number, declared: boolean): Answer {
  return (response) => {
    response.writeHead(200, {
      'Content-Type': 'application/json',
      ...(declared ? { 'Content-Length': bytes } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const body = Readable.from(
      (function* () {
        for (let sent = 0; sent < bytes; sent += chunk.length) {
          sentBytes += chunk.length;
          yield chunk;
        }
      })(),
    );
    body.pipe(response);
    response.on('close', () => body.destroy());
  };
}

const upload = () =>
  client.uploadFile(TOKEN, {
    advertiserId: '7200000000000000001',
    calculateType: 'EMAIL_SHA256',
    path: file,
    fileName: 'audience.csv',
    md5: '0'.repeat(32),
  });

async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('readBoundedAnswer', () => {
  it('reads a body within the limit, whatever its chunks', async () => {
    const text = await readBoundedAnswer(Readable.from([Buffer.from('{"code":'), '0}']), '10', 10);
    expect(text).toBe('{"code":0}');
  });

  it('refuses a declared length beyond the limit before reading, and a body that grows past it', async () => {
    await expect(readBoundedAnswer(Readable.from(['x']), '11', 10)).rejects.toBeInstanceOf(
      AnswerTooLargeError,
    );
    await expect(readBoundedAnswer(Readable.from(['123456', '789012']), null, 10)).rejects.toBeInstanceOf(
      AnswerTooLargeError,
    );
  });

  it('reports a body that breaks off as cut, and a timeout as what it is', async () => {
    async function* broken() {
      yield Buffer.from('{"co');
      throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    }
    await expect(readBoundedAnswer(broken(), null)).rejects.toBeInstanceOf(AnswerCutError);
    async function* timedOut() {
      yield Buffer.from('{');
      throw new DOMException('The operation timed out.', 'TimeoutError');
    }
    await expect(readBoundedAnswer(timedOut(), null)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('TikTokClient: hostile answers', () => {
  it.each([
    ['declared 20 MB', true],
    ['20 MB without a length', false],
  ])('stops reading a %s answer at 1 MB and fails the call, not retried', async (_label, declared) => {
    for (const call of [() => client.getUserInfo(TOKEN), upload]) {
      sentBytes = 0;
      answer = endless(20 * 1024 * 1024, declared);
      const error = await failure(call());
      expect(error.constructor).toBe(ProviderApiError);
      expect((error as ProviderApiError).retryable).toBe(false);
      expect(error.message).toMatch(
        /^TikTok's answer to (GET user\/info\/|POST dmp\/custom_audience\/file\/upload\/) is larger than 1 MB/,
      );
      // Far less than the 20 MB went out before the client hung up.
      expect(sentBytes).toBeLessThan(8 * 1024 * 1024);
    }
    expect(MAX_ANSWER_BYTES).toBe(1024 * 1024);
  });

  it('treats an answer cut mid-body as a retryable transport error, on both paths', async () => {
    answer = (response) => {
      const body = '{"code":0,"message":"OK","request_id":"R","data":{"file_path":"abc"}}';
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      response.write(body.slice(0, 20), () => response.socket?.destroy());
    };
    for (const call of [() => client.getUserInfo(TOKEN), upload]) {
      const error = await failure(call());
      expect(error.constructor).toBe(RetryableError);
      expect(error.message).toMatch(
        /answer to (GET user\/info\/|POST dmp\/custom_audience\/file\/upload\/) was cut off mid-body/,
      );
    }
  });

  it('describes a body that is not the envelope without quoting it', async () => {
    const secretish = 'a'.repeat(40);
    const cases: [string, RegExp][] = [
      [`<html><title>${secretish}</title></html>`, /not JSON but an HTML or XML page, \d+ bytes/],
      [
        `{"status":"ok","${secretish}":1,"request_id":"x"}`,
        /JSON without TikTok's envelope \(no numeric code\); its keys: status, request_id, \d+ bytes/,
      ],
      ['[1,2]', /JSON but not an object \(a list\)/],
    ];
    for (const [body, expected] of cases) {
      answer = (response) => response.writeHead(200, { 'Content-Type': 'text/plain' }).end(body);
      const error = await failure(client.getUserInfo(TOKEN));
      expect(error.constructor).toBe(ProviderApiError);
      expect(error.message).toContain('GET user/info/ is not a TikTok response (HTTP 200, ');
      expect(error.message).toMatch(expected);
      expect(error.message).not.toContain(secretish);
      expect(error.message.length).toBeLessThan(300);
    }
  });

  it("keeps TikTok's own message to a readable length", async () => {
    answer = (response) =>
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          code: 40002,
          message: `advertiser_id: ${'y'.repeat(50_000)}`,
          request_id: 'R',
          data: {},
        }),
      );
    const error = await failure(client.getUserInfo(TOKEN));
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(error.message.length).toBeLessThan(600);
  });

  it('takes an answer that comes before the whole file is sent, without waiting for the rest', async () => {
    // 8 MB cannot sit in socket buffers: a client that waited to finish sending would hang until the
    // server gave up on the connection (the spec's time limit guards it).
    writeFileSync(file, 'b'.repeat(8 * 1024 * 1024));
    answer = () => undefined;
    const early = (request: IncomingMessage, response: ServerResponse) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          code: 40105,
          message: 'Access token is incorrect or has been revoked.',
          request_id: 'R',
          data: {},
        }),
      );
      request.resume();
    };
    server.prependListener('request', early);
    try {
      const error = await failure(upload());
      expect(error).toBeInstanceOf(InvalidCredentialsError);
    } finally {
      server.removeListener('request', early);
      writeFileSync(file, 'a'.repeat(64));
    }
  });

  it('says a 40002 on an upload is about the customer file', async () => {
    answer = (response) =>
      response
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ code: 40002, message: 'file: invalid content', request_id: 'R', data: {} }));
    const error = await failure(upload());
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(error.message).toMatch(
      /^TikTok refused the customer file \(40002: file: invalid content\); check that the export's key columns/,
    );
  });
});
