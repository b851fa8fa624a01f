import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ApiEnv } from '../config/api.env';
import { FailOpenStorage, rateLimitOptionsFrom } from './rate-limits';

describe('API rate limits on a Redis that is down', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is reported through the logger once, never as raw ioredis stacks on stderr', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const options = rateLimitOptionsFrom(
      new ConfigService<ApiEnv, true>({
        // Port 9 (discard) refuses connections on this machine, as a Redis that is down would.
        REDIS_URL: 'redis://127.0.0.1:9',
        CONDUIT_QUEUE_PREFIX: 'conduit-test',
        API_RATE_LIMIT_PER_SECOND: 10,
        API_RATE_LIMIT_PER_MINUTE: 600,
      }),
    );
    const storage = Array.isArray(options) ? undefined : options.storage;
    if (!(storage instanceof FailOpenStorage)) throw new Error('expected the fail-open Redis store');
    try {
      // ioredis retries every 50–2000 ms: several failed attempts in this time.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(stderr).not.toHaveBeenCalled();
      expect(warn.mock.calls).toEqual([
        ['API rate limits (Redis): connect ECONNREFUSED 127.0.0.1:9; retrying'],
      ]);
    } finally {
      storage.onApplicationShutdown();
    }
  });
});
