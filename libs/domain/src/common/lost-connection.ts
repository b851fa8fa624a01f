/**
 * Whether an error says a connection to our own infrastructure dropped (the database or Redis): the
 * server restarted, an operator or a failover killed the session (PostgreSQL's `pg_terminate_backend`:
 * 57P01), the socket closed. Nothing is wrong with the work that was running: it must be resumed from
 * its checkpoint, not failed. Errors from providers never get here (they are DestinationErrors).
 */
export function isLostConnection(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && LOST_CONNECTION_CODES.test(code)) return true;
    if (name === 'ConnectionException') return true;
    if (typeof message === 'string' && LOST_CONNECTION_MESSAGES.test(message)) return true;
    current =
      (current as { cause?: unknown; previous?: unknown }).cause ??
      (current as { previous?: unknown }).previous;
  }
  return false;
}

/**
 * PostgreSQL's class 08 (connection exception) and 57P01–57P03 (the server shut the session down or
 * is starting), and the socket's own errors.
 */
const LOST_CONNECTION_CODES = /^(08[0-9A-Z]{3}|57P0[123]|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT)$/;
/** What node-postgres and ioredis say when their socket closed under them. */
const LOST_CONNECTION_MESSAGES =
  /Connection terminated|terminating connection due to administrator command|Client has encountered a connection error|Connection is closed/;
