import { DriverException } from '@mikro-orm/core';
import { stdSerializers } from 'pino';

/**
 * A failed statement's message carries the SQL with its values inlined (an API key's `secret_hash`,
 * encrypted credentials, a segment's query). Logs keep the statement's shape, never its values:
 * every quoted literal becomes `?`.
 */
export function withoutSqlValues(text: string): string {
  return text.replace(/(?:\b[xX])?'(?:[^']|'')*'/g, '?');
}

/** pino's `err` serializer for every app: database errors lose their values; others are pino's own. */
export function serializeLoggedError(error: unknown): unknown {
  if (!(error instanceof DriverException)) {
    return error instanceof Error ? stdSerializers.err(error) : error;
  }
  return {
    type: error.name,
    message: withoutSqlValues(error.message),
    code: error.code,
    stack: error.stack ? withoutSqlValues(error.stack) : undefined,
  };
}
