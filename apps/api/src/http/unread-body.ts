import type { Request, Response } from 'express';

/**
 * A request refused before its body was read (wrong type, idempotency conflict): drop what is still
 * arriving and close the connection after the answer, so a large upload is neither read nor kept.
 */
export function dropUnreadBody(request: Request, response: Response): void {
  if (request.readableEnded) return;
  response.setHeader('Connection', 'close');
  request.resume();
}

/** Reads and drops a body the handler will not read (a repeated upload), so the answer comes after it. */
export function drainBody(request: Request): Promise<void> {
  if (request.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    request
      .once('end', resolve)
      .once('error', () => resolve())
      .once('close', resolve);
    request.resume();
  });
}
