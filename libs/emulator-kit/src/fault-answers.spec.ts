import { once } from 'node:events';
import { HUGE_BODY_BYTES, sendCutBody, sendHugeBody, sendNotJson, withoutFields } from './fault-answers';
import { RecordedResponse } from '../test/recorded-response';

describe('fault answers', () => {
  it('leaves out the fields a client uses, or everything when none are named', () => {
    expect(withoutFields(['id'], { id: '1', name: 'n' })).toEqual({ name: 'n' });
    expect(withoutFields(undefined, { id: '1' })).toEqual({});
  });

  it('cuts a JSON answer in half, then destroys the socket', async () => {
    const response = new RecordedResponse();
    const body = { data: 'x'.repeat(100) };
    const length = JSON.stringify(body).length;
    sendCutBody(response.asResponse(), 400, body, 'application/json; charset=UTF-8');
    await new Promise((resolve) => setImmediate(resolve));
    expect(response.status).toBe(400);
    expect(response.headers).toEqual({
      'Content-Type': 'application/json; charset=UTF-8',
      'Content-Length': length,
    });
    expect(response.body).toBe(JSON.stringify(body).slice(0, Math.floor(length / 2)));
    expect(response.socket.destroyed).toBe(true);
  });

  it("answers a gateway's HTML page with HTTP 200 and the reference", () => {
    const response = new RecordedResponse();
    sendNotJson(response.asResponse(), { title: 'Oops', content: '<h1>Down</h1>', reference: 'REF1' });
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(response.body).toMatch(
      /^<!DOCTYPE html><html><head><title>Oops<\/title><\/head><body><h1>Down<\/h1><p>Reference: REF1<\/p>(<!-- padding -->){40}<\/body><\/html>$/,
    );
    expect(response.headers['Content-Length']).toBe(Buffer.byteLength(response.body));
  });

  it('streams a JSON body of HUGE_BODY_BYTES between its head and tail', async () => {
    const response = new RecordedResponse();
    const finished = once(response, 'finish');
    await sendHugeBody(response.asResponse(), { head: '{"padding":"', tail: '"}' });
    await finished;
    expect(response.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': HUGE_BODY_BYTES,
    });
    expect(response.size).toBe(HUGE_BODY_BYTES);
    const body = Buffer.concat(response.chunks);
    expect(body.subarray(0, 12).toString()).toBe('{"padding":"');
    expect(body.subarray(-4).toString()).toBe('xx"}');
  });
});
