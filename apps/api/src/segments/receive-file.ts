import type { Readable } from 'node:stream';
import { DomainException, ErrorCode } from '@conduit/domain';
import busboy from 'busboy';
import type { Request } from 'express';

/** An uploaded file part, streamed, and the end of its request. */
export interface ReceivedFile {
  file: Readable;
  /** Resolves once the whole request has been read: answer only then (a client still sending would fail). */
  finished: Promise<void>;
}

/**
 * The `file` part of a multipart/form-data request, as a stream (never buffered). Other parts are
 * drained and ignored; a request without a `file` part is a 400 naming the field.
 */
export function receiveFile(request: Request): Promise<ReceivedFile> {
  let closed!: () => void;
  const parsed = new Promise<void>((resolve) => (closed = resolve));
  // Every byte received (busboy may close before a trailing CRLF arrives) and every part parsed.
  const ended = new Promise<void>((resolve) =>
    request.readableEnded ? resolve() : request.once('end', () => resolve()),
  );
  const finished = Promise.all([parsed, ended]).then(() => undefined);
  return new Promise((resolve, reject) => {
    const missing = () =>
      new DomainException(
        ErrorCode.VALIDATION_FAILED,
        'Send the CSV as a multipart/form-data part named "file".',
        [
          {
            field: 'file',
            rule: 'required',
            message: 'must be a multipart/form-data file part named "file"',
          },
        ],
      );
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fields: 20 } });
    } catch {
      request.resume();
      request.once('end', () => reject(missing()));
      return;
    }
    let found = false;
    parser.on('file', (name, stream) => {
      if (name !== 'file' || found) {
        stream.resume();
        return;
      }
      found = true;
      resolve({ file: stream, finished });
    });
    // Answer only once the whole request is read: a client still sending would see its socket closed.
    const fail = (error: unknown) => {
      if (request.readableEnded) reject(error);
      else {
        request.once('end', () => reject(error));
        request.resume();
      }
    };
    parser.on('error', (error) => (found ? undefined : fail(error)));
    parser.on('close', () => (found ? closed() : fail(missing())));
    request.pipe(parser);
  });
}
