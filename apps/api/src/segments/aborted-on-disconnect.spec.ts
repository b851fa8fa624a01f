import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { abortedOnDisconnect } from './aborted-on-disconnect';

/** The two things the signal looks at: the 'close' event and whether the answer was all sent. */
function fakeResponse(): Response & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), { writableFinished: false }) as unknown as Response & {
    writableFinished: boolean;
  };
}

describe('abortedOnDisconnect', () => {
  it('aborts when the connection closes before the response is sent', () => {
    const response = fakeResponse();
    const signal = abortedOnDisconnect(response);
    expect(signal.aborted).toBe(false);
    response.emit('close');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toEqual(
      new Error('The client closed the connection before the response was sent.'),
    );
  });

  it('stays quiet when the connection closes after the response was sent', () => {
    const response = fakeResponse();
    const signal = abortedOnDisconnect(response);
    response.writableFinished = true;
    response.emit('close');
    expect(signal.aborted).toBe(false);
  });
});
