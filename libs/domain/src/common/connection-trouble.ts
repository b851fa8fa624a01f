import { Logger } from '@nestjs/common';

/** What this listens to on a connection: ioredis clients and BullMQ's queues and workers have both. */
export interface ConnectionEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/** While a connection keeps failing, one line per this long at most. */
export const TROUBLE_REPORT_EVERY_MS = 60_000;

/**
 * Reports a connection's trouble through the logger, a line per outage instead of one per retry: the
 * first error at once, then at most one a minute counting the errors in between, and the recovery
 * when the connection is ready again. Also what keeps an ioredis client's errors off raw stderr (an
 * ioredis client without an 'error' listener prints each retry's stack there, past the logger).
 */
export function reportConnectionTrouble(
  connection: ConnectionEvents,
  what: string,
  logger: Pick<Logger, 'warn' | 'log'> = new Logger('Connections'),
  now: () => number = Date.now,
): void {
  let failingSince: number | undefined;
  let reportedAt = 0;
  let unreported = 0;
  connection.on('error', (error) => {
    const at = now();
    // An outage's first error is told at once; the next ones at most once per TROUBLE_REPORT_EVERY_MS.
    if (failingSince !== undefined && at - reportedAt < TROUBLE_REPORT_EVERY_MS) {
      unreported += 1;
      return;
    }
    failingSince ??= at;
    const since = unreported > 0 ? ` (${unreported} more errors since the last report)` : '';
    logger.warn(`${what}: ${error.message.replace(/\.$/, '')}; retrying${since}`);
    reportedAt = at;
    unreported = 0;
  });
  connection.on('ready', () => {
    if (failingSince === undefined) return;
    const seconds = Math.round((now() - failingSince) / 1000);
    logger.log(`${what}: connected again after ${seconds} s`);
    failingSince = undefined;
    unreported = 0;
  });
}
