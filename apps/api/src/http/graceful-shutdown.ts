import type { Server } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** How often connections that went idle during the drain are closed. */
const SWEEP_MS = 50;
/** Kept of the grace period for Nest's shutdown hooks once the requests are done. */
const HOOKS_MS = 2000;

/**
 * Stops the API on SIGTERM (or SIGINT) without dropping a request: the server stops accepting
 * connections at once; requests in flight run to their end (an upload included), their connections
 * closed as they go idle (`Connection: close` on the answers); then Nest's shutdown hooks run (jobs hand
 * back, database and Redis close) and the process exits 0. All of it within `graceMs`: connections
 * still busy then are closed, and a shutdown that still hangs exits 1. Install before `listen`.
 */
export function shutDownGracefully(
  app: NestExpressApplication,
  graceMs: number,
  logger: LoggerService,
): void {
  let stopping = false;
  let inFlight = 0;
  app.use((_request: Request, response: Response, next: NextFunction) => {
    inFlight++;
    response.once('close', () => inFlight--);
    if (stopping) response.setHeader('Connection', 'close');
    next();
  });

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    // The requests get the grace period but for a moment kept for the hooks (closing the database).
    const deadline = startedAt + Math.max(graceMs - HOOKS_MS, graceMs / 2);
    const server = app.getHttpServer() as Server;
    logger.log(
      `${signal}: no new connections; finishing ${inFlight} request(s) in flight (grace ${graceMs / 1000} s)`,
      'Shutdown',
    );
    // Exits even if a hook hangs (a database that does not answer): 1, since something was cut short.
    setTimeout(() => {
      logger.error(`Not stopped within the grace period (${graceMs / 1000} s); exiting`, 'Shutdown');
      process.exit(1);
    }, graceMs).unref();
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    const inTime = await Promise.race([
      drained.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))),
    ]);
    clearInterval(sweep);
    if (!inTime) {
      logger.warn(
        `${inFlight} request(s) still running at the end of the grace period; closing them`,
        'Shutdown',
      );
      server.closeAllConnections();
    }
    try {
      await app.close();
    } catch (error) {
      logger.error({ err: error }, 'Shutdown failed', 'Shutdown');
      process.exit(1);
    }
    logger.log(`Stopped in ${Date.now() - startedAt} ms`, 'Shutdown');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (name) => void stop(name));
}
