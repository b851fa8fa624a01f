import {
  InvalidCredentialsError,
  isDestinationError,
  PayloadValidationError,
  ProviderApiError,
  ProviderLimitError,
  RateLimitedError,
  RetryableError,
} from './destination-errors';

describe('destination error taxonomy', () => {
  it.each([
    [new RetryableError('x', 2000), 'RETRYABLE', true],
    [new RateLimitedError('x'), 'RATE_LIMITED', true],
    [new InvalidCredentialsError('x'), 'INVALID_CREDENTIALS', false],
    [new PayloadValidationError('x', { field: 'config.name' }), 'PAYLOAD_VALIDATION', false],
    [new ProviderLimitError('x', 'audiencesPerAccount'), 'PROVIDER_LIMIT', false],
    [new ProviderApiError('x', true), 'PROVIDER_API', true],
    [new ProviderApiError('x', false), 'PROVIDER_API', false],
  ])('%s has kind %s and retryable %s', (error, kind, retryable) => {
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(isDestinationError(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the provider code and request id, and serializes safely', () => {
    const error = new RateLimitedError('slow down', 1500, {
      providerCode: 40100,
      requestId: 'req-1',
      cause: new Error('inner'),
    });
    expect(error.retryAfterMs).toBe(1500);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.toJSON()).toEqual({
      name: 'RateLimitedError',
      kind: 'RATE_LIMITED',
      retryable: true,
      message: 'slow down',
      providerCode: 40100,
      requestId: 'req-1',
    });
    expect(new PayloadValidationError('bad').field).toBeUndefined();
    expect(isDestinationError(new Error('plain'))).toBe(false);
  });
});
