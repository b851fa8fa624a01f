import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { FailOpenStorage } from './rate-limits';

describe('FailOpenStorage', () => {
  afterEach(() => jest.restoreAllMocks());

  it('passes the store’s answer through', async () => {
    const record = { totalHits: 3, timeToExpire: 40, isBlocked: false, timeToBlockExpire: 0 };
    const inner: ThrottlerStorage = { increment: jest.fn().mockResolvedValue(record) };
    await expect(new FailOpenStorage(inner).increment('k', 60_000, 5, 60_000, 'minute')).resolves.toBe(
      record,
    );
    expect(inner.increment).toHaveBeenCalledWith('k', 60_000, 5, 60_000, 'minute');
  });

  it('lets requests through uncounted when the store fails, warning once, not on every request', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const inner: ThrottlerStorage = {
      increment: jest.fn().mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    };
    const storage = new FailOpenStorage(inner);
    for (let index = 0; index < 3; index++) {
      await expect(storage.increment('k', 1000, 1, 1000, 'second')).resolves.toEqual({
        totalHits: 0,
        timeToExpire: 0,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
