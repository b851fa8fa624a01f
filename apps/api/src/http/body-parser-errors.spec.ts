import { DomainException, ErrorCode } from '@conduit/domain';
import { bodyParserException } from './body-parser-errors';

/** An error shaped as http-errors builds it for body-parser: a status, `expose`, and its own fields. */
function httpError(status: number, fields: object = {}): Error {
  return Object.assign(new Error('reading the body failed'), {
    status,
    statusCode: status,
    expose: status < 500,
    ...fields,
  });
}

function parserError(status: number, type: string, fields: object = {}): Error {
  return httpError(status, { type, ...fields });
}

describe('bodyParserException', () => {
  it.each([
    ['entity.parse.failed', 400, ErrorCode.MALFORMED_JSON],
    ['entity.too.large', 413, ErrorCode.PAYLOAD_TOO_LARGE],
    ['encoding.unsupported', 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
    ['charset.unsupported', 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
    ['request.aborted', 400, ErrorCode.VALIDATION_FAILED],
    ['request.size.invalid', 400, ErrorCode.VALIDATION_FAILED],
    ['entity.verify.failed', 403, ErrorCode.VALIDATION_FAILED],
    ['stream.encoding.set', 500, ErrorCode.VALIDATION_FAILED],
    ['stream.not.readable', 500, ErrorCode.VALIDATION_FAILED],
  ])('maps %s to %s', (type, status, code) => {
    expect(bodyParserException(parserError(status, type))?.code).toBe(code);
  });

  it('names the refused Content-Encoding and charset', () => {
    const encoding = bodyParserException(parserError(415, 'encoding.unsupported', { encoding: 'compress' }));
    expect(encoding?.message).toContain('"compress"');
    expect(encoding?.details).toEqual([expect.objectContaining({ field: 'Content-Encoding' })]);
    const charset = bodyParserException(parserError(415, 'charset.unsupported', { charset: 'bogus' }));
    expect(charset?.message).toContain('"bogus"');
    expect(charset?.details).toEqual([expect.objectContaining({ field: 'Content-Type' })]);
  });

  it('says how large a body may be', () => {
    expect(bodyParserException(parserError(413, 'entity.too.large', { limit: 1024 }))?.message).toContain(
      '1024 bytes',
    );
  });

  it('blames the Content-Encoding when zlib cannot inflate the body', () => {
    const zlib = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR', status: 400 });
    expect(bodyParserException(zlib)).toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      details: [{ field: 'Content-Encoding', rule: 'matchesBody' }],
    });
  });

  it('keeps any other exposed 4xx http-errors error a 4xx', () => {
    expect(bodyParserException(httpError(413))?.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(bodyParserException(httpError(400))?.code).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('leaves errors that did not come from reading a body alone', () => {
    expect(bodyParserException(new Error('database down'))).toBeUndefined();
    expect(bodyParserException(httpError(502))).toBeUndefined();
    expect(bodyParserException(new DomainException(ErrorCode.SEGMENT_NOT_FOUND, 'x'))).toBeUndefined();
    expect(bodyParserException(null)).toBeUndefined();
  });
});
