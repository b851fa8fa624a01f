import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderApiError,
  ProviderLimitError,
  RateLimitedError,
  RetryableError,
} from '@conduit/destinations-core';
import {
  graphProviderCode,
  isGraphError,
  mapGraphError,
  META_THROTTLE_RETRY_MS,
  termsNotAccepted,
} from './meta.errors';

const map = (code: number, subcode?: number, extra: Partial<Parameters<typeof mapGraphError>[0]> = {}) =>
  mapGraphError({
    code,
    subcode,
    message: `(#${code}) said`,
    endpoint: 'POST {audience_id}/users',
    traceId: 'trace-1',
    ...extra,
  });

describe('mapGraphError', () => {
  it.each([
    [463, /expired.*60 days/],
    [458, /removed the app/],
    [460, /changed their Facebook password/],
    [undefined, /no longer accepts the access token/],
  ])('190/%s → InvalidCredentialsError that says why and to reconnect', (subcode, why) => {
    const error = map(190, subcode);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.message).toMatch(why);
    expect(error.message).toMatch(/reconnect the Meta Ads authorization/);
    expect(error).toMatchObject({ providerCode: graphProviderCode(190, subcode), requestId: 'trace-1' });
  });

  it.each([80003, 17, 4, 613, 80004])(
    '%s → RateLimitedError, waiting what the usage headers say (at least a minute)',
    (code) => {
      const plain = map(code);
      expect(plain).toBeInstanceOf(RateLimitedError);
      expect((plain as RateLimitedError).retryAfterMs).toBe(META_THROTTLE_RETRY_MS);
      const told = map(code, undefined, { regainAccessMs: 5 * 60_000 }) as RateLimitedError;
      expect(told.retryAfterMs).toBe(5 * 60_000);
      expect(told.message).toMatch(/Meta throttled POST \{audience_id\}\/users.*backing off 300 s/);
    },
  );

  it('refuses on unaccepted terms (200/1870090, 2663, 2664) with the link to accept them', () => {
    for (const [code, subcode] of [
      [200, 1870090],
      [2663, undefined],
      [2664, undefined],
    ] as const) {
      const error = map(code, subcode, { adAccountId: 'act_42' });
      expect(error).toBeInstanceOf(ProviderLimitError);
      expect(error).toMatchObject({ limit: 'customAudienceTerms' });
      expect(error.message).toContain('https://business.facebook.com/ads/manage/customaudiences/tos/?act=42');
    }
    expect(termsNotAccepted(undefined).message).toContain('from inside the ad account');
  });

  it('2654 → ProviderLimitError on the 500 audiences; 2650 by subcode', () => {
    expect(map(2654)).toMatchObject({ kind: 'PROVIDER_LIMIT', limit: 'audiencesPerAccount' });
    expect(map(2650, 1870145)).toBeInstanceOf(RetryableError);
    expect(map(2650, 1870158)).toMatchObject({ kind: 'PROVIDER_API', retryable: false });
    expect(map(2650, 1870158).message).toMatch(/90 minutes/);
    expect(map(2650, 1870144)).toMatchObject({ kind: 'PROVIDER_LIMIT', limit: 'replaceSize' });
    expect(map(2650)).toMatchObject({ kind: 'PROVIDER_API', retryable: false });
  });

  it('100 → PayloadValidationError naming the parameter; 100/33 → the object is gone', () => {
    const error = map(100, undefined, { message: '(#100) The parameter session is required' });
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(error).toMatchObject({ field: 'session' });
    expect(map(100, 33)).toMatchObject({ kind: 'PROVIDER_API', retryable: false });
  });

  it('1, 2 and transient answers are retried; permissions, policy, versions and unknown codes are not', () => {
    expect(map(1)).toBeInstanceOf(RetryableError);
    expect(map(2)).toBeInstanceOf(RetryableError);
    expect(map(99999, undefined, { isTransient: true })).toBeInstanceOf(RetryableError);
    expect(map(294)).toBeInstanceOf(InvalidCredentialsError);
    for (const code of [200, 270, 368, 2635, 1487366, 99999]) {
      const error = map(code);
      expect(error).toBeInstanceOf(ProviderApiError);
      expect(error.retryable).toBe(false);
    }
    expect(map(2635).message).toMatch(/graphVersion/);
  });

  it('isGraphError matches a code, or a code and its subcode', () => {
    const error = map(2650, 1870145);
    expect(isGraphError(error, 2650)).toBe(true);
    expect(isGraphError(error, 2650, 1870145)).toBe(true);
    expect(isGraphError(error, 2650, 1870158)).toBe(false);
    expect(isGraphError(map(368), 368)).toBe(true);
    expect(isGraphError(new Error('x'), 368)).toBe(false);
  });
});
