import { InvalidCredentialsError, RateLimitedError, RetryableError } from '../errors/destination-errors';
import { withRetries } from './retry';

describe('withRetries', () => {
  const policy = { attempts: 4, baseDelayMs: 10, maxDelayMs: 1000 };

  it('retries retryable errors with exponential backoff, honouring retryAfterMs', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls === 1) throw new RetryableError('blip', 5);
        if (calls === 2) throw new RateLimitedError('slow', 500);
        return 'done';
      },
      policy,
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0.999 },
    );
    expect(result).toBe('done');
    expect(sleeps).toEqual([10, 500]);
  });

  it('jitters each wait between half and all of its exponential ceiling, within the bound', async () => {
    const waits = async (draw: number) => {
      const sleeps: number[] = [];
      await expect(
        withRetries(
          async () => Promise.reject(new RetryableError('down', 0)),
          { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 },
          { sleep: async (ms) => void sleeps.push(ms), random: () => draw },
        ),
      ).rejects.toThrow('down');
      return sleeps;
    };
    expect(await waits(0)).toEqual([50, 100, 200, 400, 500]);
    expect(await waits(0.5)).toEqual([75, 150, 300, 600, 750]);
    expect(await waits(0.9999)).toEqual([100, 200, 400, 800, 1000]);
    // The hint is a floor the jitter never goes under, and is itself capped by the bound.
    const hinted: number[] = [];
    await withRetries(
      async (attempt) => {
        if (attempt === 1) throw new RetryableError('busy', 5_000);
        return 'ok';
      },
      { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
      { sleep: async (ms) => void hinted.push(ms), random: () => 0 },
    );
    expect(hinted).toEqual([1000]);
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => Promise.reject(new RetryableError(`try ${++calls}`, 0)), policy, {
        sleep: async () => undefined,
      }),
    ).rejects.toThrow('try 4');
  });

  it('never retries a non-retryable error or a plain Error', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => Promise.reject(new InvalidCredentialsError(`no ${++calls}`)), policy),
    ).rejects.toThrow('no 1');
    await expect(withRetries(async () => Promise.reject(new Error('bug')), policy)).rejects.toThrow('bug');
  });

  it('tells the caller what failed and how long it waits, before each wait', async () => {
    const told: [string, number, number][] = [];
    await withRetries(
      async (attempt) => {
        if (attempt < 3) throw new RetryableError(`blip ${attempt}`, 0);
        return 'ok';
      },
      policy,
      {
        sleep: async () => undefined,
        random: () => 0.999,
        onRetry: (error, attempt, delayMs) => told.push([(error as Error).message, attempt, delayMs]),
      },
    );
    expect(told).toEqual([
      ['blip 1', 1, 10],
      ['blip 2', 2, 20],
    ]);
  });

  it('lets the caller veto a retry', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => Promise.reject(new RetryableError(`sig ${++calls}`, 0)), policy, {
        sleep: async () => undefined,
        shouldRetry: (_e, attempt) => attempt < 2,
      }),
    ).rejects.toThrow('sig 2');
  });
});
