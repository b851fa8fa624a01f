import type { Response } from 'express';

/**
 * A signal that aborts if the connection closes before the response is sent: the client left, so the
 * work it asked for (reading rows, say) can stop. The response's 'close', not the request's: a request
 * closes once its body is read, long before the answer.
 */
export function abortedOnDisconnect(response: Response): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) {
      controller.abort(new Error('The client closed the connection before the response was sent.'));
    }
  });
  return controller.signal;
}
