import { isDestinationError, RetryableError } from '../errors/destination-errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /**
   * Delay before the second attempt; doubles each time, up to `maxDelayMs`. Each wait is jittered
   * (between half and all of it), so workers that failed together do not retry together; it is never
   * less than the error's retryAfterMs (capped at `maxDelayMs` too).
   */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * Runs `operation`, retrying only errors that say they are retryable (the taxonomy decides, not the
 * caller). `shouldRetry` can veto a retry, e.g. to retry an upload signature mismatch only once.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  options: {
    shouldRetry?: (error: unknown, attempt: number) => boolean;
    sleep?: (ms: number) => Promise<void>;
    signal?: AbortSignal;
    /** [0, 1) draws for the jitter (Math.random by default; specs pass their own). */
    random?: () => number;
    /** Told before each wait: what failed, the attempt that failed, and how long until the next. */
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  } = {},
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const retryable = isDestinationError(error) && error.retryable;
      if (
        !retryable ||
        attempt >= policy.attempts ||
        options.signal?.aborted ||
        (options.shouldRetry && !options.shouldRetry(error, attempt))
      )
        throw error;
      const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      const backoff = Math.round(ceiling * (0.5 + 0.5 * (options.random ?? Math.random)()));
      const hinted = error instanceof RetryableError ? Math.min(error.retryAfterMs, policy.maxDelayMs) : 0;
      const delayMs = Math.max(backoff, hinted);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
