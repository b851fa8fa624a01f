import type { IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { BodyTooLargeError, readBody, sendHtml, sendJson, sendText } from './http-io';
import { RecordedResponse } from '../test/recorded-response';

const request = (...chunks: string[]) =>
  Readable.from(chunks.map((chunk) => Buffer.from(chunk))) as unknown as IncomingMessage;

describe('readBody', () => {
  it('reads a body up to its limit', async () => {
    expect((await readBody(request('ab', 'cd'), 4)).toString('utf8')).toBe('abcd');
  });

  it('stops past the limit with a BodyTooLargeError', async () => {
    const read = readBody(request('ab', 'cde'), 4);
    await expect(read).rejects.toThrow(BodyTooLargeError);
    await expect(read).rejects.toThrow('The request body is larger than 4 bytes.');
  });

  it("throws the platform's own error when given one", async () => {
    await expect(readBody(request('abcde'), 4, (limit) => new RangeError(`over ${limit}`))).rejects.toThrow(
      new RangeError('over 4'),
    );
  });
});

describe('answers', () => {
  it('sends JSON with its length, after any extra headers', async () => {
    const response = new RecordedResponse();
    sendJson(response.asResponse(), 201, { ok: 'é' }, { 'x-trace': 't', 'Content-Type': 'lost' });
    await once(response, 'finish');
    expect(response.status).toBe(201);
    expect(response.headers).toEqual({
      'x-trace': 't',
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': 11,
    });
    expect(JSON.parse(response.body)).toEqual({ ok: 'é' });
  });

  it('sends JSON with the content type given', () => {
    const response = new RecordedResponse();
    sendJson(response.asResponse(), 200, {}, {}, 'application/json; charset=UTF-8');
    expect(response.headers['Content-Type']).toBe('application/json; charset=UTF-8');
  });

  it('sends HTML and text with their lengths', () => {
    const html = new RecordedResponse();
    sendHtml(html.asResponse(), 200, '<p>é</p>');
    expect(html.headers).toEqual({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': 9 });
    const text = new RecordedResponse();
    sendText(text.asResponse(), 503, 'Service Unavailable');
    expect(text.status).toBe(503);
    expect(text.headers).toEqual({ 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 19 });
  });
});
