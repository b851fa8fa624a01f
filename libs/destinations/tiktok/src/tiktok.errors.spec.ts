import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderApiError,
  RateLimitedError,
  RetryableError,
  type DestinationError,
} from '@conduit/destinations-core';
import { mapTikTokError } from './tiktok.errors';

type ErrorClass = abstract new (...args: never[]) => DestinationError;

// The table of reference/tiktok-api.md ("Limits and error codes"), one row per code.
const TABLE: [code: number, type: ErrorClass, retryable: boolean, hint: RegExp][] = [
  [40000, PayloadValidationError, false, /fix the destination settings/],
  [40002, PayloadValidationError, false, /fix the destination settings/],
  [40001, InvalidCredentialsError, false, /re-authorize the TikTok account/],
  [40007, ProviderApiError, false, /does not exist/],
  [40011, ProviderApiError, false, /fewer ids/],
  [40100, RateLimitedError, true, /rate limit/],
  [40016, RateLimitedError, true, /rate limit/],
  [40133, RateLimitedError, true, /rate limit/],
  [40101, ProviderApiError, false, /check the TikTok app id and secret/],
  [40102, InvalidCredentialsError, false, /re-authorize the TikTok account/],
  [40104, InvalidCredentialsError, false, /re-authorize the TikTok account/],
  [40105, InvalidCredentialsError, false, /re-authorize the TikTok account/],
  [40106, InvalidCredentialsError, false, /re-authorize the TikTok account/],
  [40110, InvalidCredentialsError, false, /invalid, already used or expired/],
  [40202, RetryableError, true, /write conflict/],
  [40900, RetryableError, true, /retry the upload/],
  ...Array.from({ length: 11 }, (_, index): [number, ErrorClass, boolean, RegExp] => [
    40905 + index,
    PayloadValidationError,
    false,
    /customer file/,
  ]),
  [50000, RetryableError, true, /retrying with backoff/],
  [50002, RetryableError, true, /retrying with backoff/],
  [60001, RetryableError, true, /maintenance/],
  [41234, ProviderApiError, false, /TikTok support/],
  [0, ProviderApiError, false, /TikTok support/],
];

describe('mapTikTokError', () => {
  it.each(TABLE)('maps %i to %p (retryable: %p)', (code, type, retryable, hint) => {
    const message = `TikTok says ${code} happened.`;
    const error = mapTikTokError({ code, message, requestId: `REQ-${code}` });

    expect(error).toBeInstanceOf(type);
    // RateLimitedError extends RetryableError: check the exact class too.
    expect(error.constructor).toBe(type);
    expect(error.retryable).toBe(retryable);
    expect(error.providerCode).toBe(code);
    expect(error.requestId).toBe(`REQ-${code}`);
    expect(error.message).toContain(`(${code}: ${message})`);
    expect(error.message).toMatch(hint);
    expect(error.toJSON()).toMatchObject({ providerCode: code, requestId: `REQ-${code}`, retryable });
  });

  it('writes the message the operator reads for a revoked token', () => {
    const error = mapTikTokError({
      code: 40105,
      message: 'Access token is incorrect or has been revoked.',
      requestId: 'R1',
    });
    expect(error.message).toBe(
      'TikTok refused the access token (40105: Access token is incorrect or has been revoked.); re-authorize the TikTok account.',
    );
  });

  it('tells retry delays apart: throttles and conflicts soon, system errors later', () => {
    const delay = (code: number) => (mapTikTokError({ code, message: 'x' }) as RetryableError).retryAfterMs;
    expect(delay(40100)).toBe(1000);
    expect(delay(40016)).toBe(1000);
    expect(delay(40133)).toBe(1000);
    expect(delay(40202)).toBe(1000);
    expect(delay(40900)).toBe(1000);
    expect(delay(50000)).toBe(5000);
    expect(delay(50002)).toBe(5000);
    expect(delay(60001)).toBe(5000);
  });

  it('names the offending parameter of a 40002 when TikTok does, and the file for file codes', () => {
    const parameter = mapTikTokError({
      code: 40002,
      message: 'custom_audience_name: length must be between 1 and 128.',
    });
    expect((parameter as PayloadValidationError).field).toBe('custom_audience_name');
    const vague = mapTikTokError({ code: 40002, message: 'The audience size is 0.' });
    expect((vague as PayloadValidationError).field).toBeUndefined();
    const file = mapTikTokError({ code: 40907, message: 'file too large' });
    expect((file as PayloadValidationError).field).toBe('file');
    expect(file.message).toContain('250 MB');
  });

  it('says a 40002 answered to an upload is about the customer file, on other calls about the settings', () => {
    const upload = mapTikTokError({
      code: 40002,
      message: 'file: invalid content',
      endpoint: 'POST dmp/custom_audience/file/upload/',
    });
    expect(upload).toBeInstanceOf(PayloadValidationError);
    expect((upload as PayloadValidationError).field).toBe('file');
    expect(upload.message).toMatch(
      /^TikTok refused the customer file \(40002: file: invalid content\); check/,
    );
    const create = mapTikTokError({
      code: 40002,
      message: 'x',
      endpoint: 'POST dmp/custom_audience/create/',
    });
    expect(create.message).toContain('fix the destination settings');
  });

  it('says so when TikTok sends no message, and keeps an absent request id absent', () => {
    const error = mapTikTokError({ code: 40007, message: '  ' });
    expect(error.message).toContain('(40007: no message)');
    expect(error.requestId).toBeUndefined();
    expect(error.toJSON()).not.toHaveProperty('requestId');
  });
});
