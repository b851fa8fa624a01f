import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { isDestinationError } from '../errors/destination-errors';
import type { ExportMilestone, ExportReporter } from '../provider/destination-provider';
import { cancelledExport } from './chunked-export';
import { describeDuration } from './export-messages';
import { withRetries, type RetryPolicy } from './retry';

/**
 * A provider's calls under its retry policy, each retry told to the log of the export the call
 * serves (`RETRYING`: what the provider answered, the wait, the attempt). Which export that is comes
 * from the work `during` runs, so a call deep in the provider needs no reporter of its own; outside
 * an export (OAuth, health checks) retries are simply not logged.
 */
export class ExportCalls {
  private readonly exporting = new AsyncLocalStorage<ExportReporter>();

  constructor(private readonly retryPolicy: RetryPolicy) {}

  /** Runs an export's work: the calls it makes report their retries to `reporter`. */
  during<T>(reporter: ExportReporter, work: () => Promise<T>): Promise<T> {
    return this.exporting.run(reporter, work);
  }

  /** The reporter of the export the current work serves (undefined outside an export). */
  get reporter(): ExportReporter | undefined {
    return this.exporting.getStore();
  }

  /** One call under the retry policy; `shouldRetry` may veto a retry the error allows. */
  call<T>(
    operation: (attempt: number) => Promise<T>,
    shouldRetry?: (error: unknown, attempt: number) => boolean,
  ): Promise<T> {
    const reporter = this.exporting.getStore();
    const attempts = this.retryPolicy.attempts;
    return withRetries(operation, this.retryPolicy, {
      shouldRetry,
      onRetry: (error, attempt, delayMs) =>
        reporter?.milestone?.(retryingMilestone(error, attempt, attempts, delayMs)),
    });
  }
}

/** The log line of a retry: the provider's answer, then when and which attempt comes next. */
export function retryingMilestone(
  error: unknown,
  attempt: number,
  attempts: number,
  delayMs: number,
): ExportMilestone {
  return {
    type: 'RETRYING',
    message: `${error instanceof Error ? error.message : String(error)} Trying again in ${describeDuration(delayMs)} (attempt ${attempt + 1} of ${attempts}).`,
    data: { attempt, delayMs, ...(isDestinationError(error) ? { kind: error.kind } : {}) },
  };
}

/** Sleeps, unless the export is cancelled meanwhile (a wait for a provider can last hours). */
export async function pauseUnlessCancelled(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => {
    throw cancelledExport();
  });
}
