import { DomainException, ErrorCode, type FieldProblem } from '@conduit/domain';

/** What body-parser (and raw-body beneath it) attaches to the errors it passes on. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  message?: unknown;
  code?: unknown;
  limit?: unknown;
  charset?: unknown;
  encoding?: unknown;
}

const ACCEPTED_ENCODINGS = 'gzip, deflate or br';

/**
 * The failure of reading a request body, as the domain exception the API answers with; undefined when
 * `error` did not come from reading a body. Every type body-parser and raw-body document is named
 * here, so none of them falls through to a 500.
 */
export function bodyParserException(error: unknown): DomainException | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const failure = error as BodyParserError;
  switch (failure.type) {
    case 'entity.parse.failed':
      return new DomainException(ErrorCode.MALFORMED_JSON, 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new DomainException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `The request body is larger than ${String(failure.limit)} bytes, the most a JSON body may be.`,
      );
    case 'encoding.unsupported':
      return refused(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Content-Encoding "${String(failure.encoding)}" is not supported; send the body uncompressed or as ${ACCEPTED_ENCODINGS}.`,
        { field: 'Content-Encoding', rule: 'supported', message: `must be identity, ${ACCEPTED_ENCODINGS}` },
      );
    case 'charset.unsupported':
      return refused(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `The charset "${String(failure.charset)}" is not supported; JSON bodies are UTF-8.`,
        { field: 'Content-Type', rule: 'supported', message: 'must name charset=utf-8, or no charset' },
      );
    case 'request.aborted':
      return refused(ErrorCode.VALIDATION_FAILED, 'The request body ended before all of it arrived.', {
        field: 'body',
        rule: 'complete',
        message: 'must arrive whole',
      });
    case 'request.size.invalid':
      return refused(
        ErrorCode.VALIDATION_FAILED,
        'The request body is not as long as its Content-Length header says.',
        { field: 'Content-Length', rule: 'matchesBody', message: 'must be the length of the body' },
      );
    case 'entity.verify.failed':
      return new DomainException(ErrorCode.VALIDATION_FAILED, 'The request body was refused.');
    // raw-body's misuse errors (the request stream was already read, or set to text): either way the
    // body cannot be read again, and sending the request again is all the client can do.
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new DomainException(
        ErrorCode.VALIDATION_FAILED,
        'The request body could not be read; send the request again.',
      );
  }
  if (typeof failure.code === 'string' && failure.code.startsWith('Z_')) {
    // zlib could not inflate a body whose Content-Encoding promised gzip, deflate or br.
    return refused(
      ErrorCode.VALIDATION_FAILED,
      'The request body is not what its Content-Encoding says; send it uncompressed, or compressed as the header names.',
      { field: 'Content-Encoding', rule: 'matchesBody', message: 'must name how the body is compressed' },
    );
  }
  return clientHttpError(failure);
}

/** Any other 4xx http-errors error (their messages are meant for clients), under a code for its status. */
function clientHttpError(failure: BodyParserError): DomainException | undefined {
  if (typeof failure.status !== 'number' || failure.status < 400 || failure.status >= 500) return undefined;
  if (failure.expose !== true || typeof failure.message !== 'string') return undefined;
  const code =
    failure.status === 413
      ? ErrorCode.PAYLOAD_TOO_LARGE
      : failure.status === 415
        ? ErrorCode.UNSUPPORTED_MEDIA_TYPE
        : ErrorCode.VALIDATION_FAILED;
  return new DomainException(code, `The request body was refused: ${failure.message}.`);
}

function refused(code: ErrorCode, message: string, problem: FieldProblem): DomainException {
  return new DomainException(code, message, [problem]);
}
