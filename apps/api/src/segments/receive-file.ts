import { PassThrough, type Readable } from 'node:stream';
import { DomainException, ErrorCode } from '@conduit/domain';
import busboy from 'busboy';
import type { Request } from 'express';

/** An uploaded file part, streamed, and the end of its request. */
export interface ReceivedFile {
  /** Fails with a 400 `DomainException` when the multipart body is cut short or malformed. */
  file: Readable;
  /** Resolves once the whole request has been read: answer only then (a client still sending would fail). */
  finished: Promise<void>;
}

/**
 * Only the `file` part is read; anything else is skipped, and what busboy buffers for a skipped text
 * field or a part's headers is kept small.
 */
const LIMITS: busboy.Limits = { files: 1, fields: 20, fieldSize: 1024, parts: 50, headerPairs: 20 };

/**
 * The `file` part of a multipart/form-data request, as a stream (never buffered). Other parts are
 * drained and ignored; a request without a `file` part is a 400 naming the field, a malformed or
 * truncated body a 400 naming the problem, a compressed request body a 415 (compress the file instead).
 */
export function receiveFile(request: Request): Promise<ReceivedFile> {
  const ended = requestEnded(request);
  return new Promise((resolve, reject) => {
    // Answer only once the whole request is read: a client still sending would see its socket closed.
    const fail = (error: DomainException) => {
      void ended.then(() => reject(error));
      request.resume();
    };
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      fail(compressedRequest(encoding));
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: LIMITS });
    } catch (error) {
      fail(/boundary/i.test(messageOf(error)) ? malformed(error) : missingFile());
      return;
    }
    const parsed = new Promise<void>((done) => parser.once('close', done));
    let found = false;
    parser.on('file', (name, stream) => {
      if (name !== 'file' || found) {
        stream.resume();
        return;
      }
      found = true;
      resolve({
        file: withDomainErrors(stream),
        finished: Promise.all([parsed, ended]).then(() => undefined),
      });
    });
    // Once the file part is handed over, its stream reports the failure (withDomainErrors).
    parser.on('error', (error) => (found ? undefined : fail(malformed(error))));
    parser.on('close', () => (found ? undefined : fail(missingFile())));
    // A client gone mid-body never ends the parser: end it, or the file stream waits forever.
    request.once('close', () => {
      if (!request.complete) parser.destroy(new Error('Unexpected end of form'));
    });
    request.pipe(parser);
  });
}

/** Resolves when the request has been read to its end, or its connection is gone. */
function requestEnded(request: Request): Promise<void> {
  if (request.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    request.once('end', resolve).once('close', resolve);
  });
}

/**
 * The file part as a stream whose errors are 400 `DomainException`s naming the problem: busboy fails
 * it with a bare `Error` (e.g. "Unexpected end of form" when the closing boundary never comes), which
 * would otherwise reach the client as a 500.
 */
function withDomainErrors(part: Readable): Readable {
  const file = new PassThrough();
  // The reader may attach only after a database lookup, and a body already cut short fails before
  // then: an 'error' without a listener would crash the process. The error stays on the stream
  // (`file.errored`), and the reader's pipeline rejects with it once attached.
  file.on('error', () => undefined);
  part.once('error', (error) => file.destroy(malformed(error)));
  // Whoever reads the file may stop early (too large): stop busboy's stream too.
  file.once('close', () => part.destroy());
  return part.pipe(file);
}

function malformed(error: unknown): DomainException {
  const reason = messageOf(error);
  const message = /unexpected end/i.test(reason)
    ? 'The multipart body ends before its closing boundary (--<boundary>--): it was cut short; send all of it.'
    : /boundary not found/i.test(reason)
      ? 'The multipart/form-data Content-Type has no boundary parameter.'
      : `The multipart body is malformed (${reason}).`;
  return new DomainException(ErrorCode.VALIDATION_FAILED, message, [
    { field: 'body', rule: 'multipart', message: 'must be a complete multipart/form-data body' },
  ]);
}

function missingFile(): DomainException {
  return new DomainException(
    ErrorCode.VALIDATION_FAILED,
    'Send the CSV as a multipart/form-data part named "file".',
    [{ field: 'file', rule: 'required', message: 'must be a multipart/form-data file part named "file"' }],
  );
}

function compressedRequest(encoding: string): DomainException {
  return new DomainException(
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    `An upload is not read with Content-Encoding "${encoding}"; send the multipart body as is (the file part itself may be gzipped).`,
    [{ field: 'Content-Encoding', rule: 'supported', message: 'must be identity, or absent' }],
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
