import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/core';

/** One response the API sent, as the client received it. */
export interface RecordedResponse {
  request: string;
  status: number;
  headers: string;
  body: string;
}

/**
 * Records every response the HTTP server sends, whoever made the request (helpers such as
 * connectTikTok included), by wrapping `write`/`end` before the app's own listener runs.
 */
export function recordResponses(server: Server): RecordedResponse[] {
  const recorded: RecordedResponse[] = [];
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (typeof chunk === 'string')
        chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const write = response.write.bind(response) as (...args: unknown[]) => boolean;
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as ServerResponse['write'];
    response.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as ServerResponse['end'];
    response.once('finish', () =>
      recorded.push({
        request: `${request.method} ${request.url}`,
        status: response.statusCode,
        headers: JSON.stringify(response.getHeaders()),
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
  return recorded;
}

/** A value that must never be shown, under a label that says what it is (never the value itself). */
export interface Secret {
  label: string;
  value: string;
}

/** Binary key material as it could leak: base64, base64url and hex. */
export function binaryForms(label: string, bytes: Buffer): Secret[] {
  return (['base64', 'base64url', 'hex'] as const).map((encoding) => ({
    label: `${label} (${encoding})`,
    value: bytes.toString(encoding),
  }));
}

/** The labels of the secrets `text` contains. */
export function secretsIn(text: string, secrets: readonly Secret[]): string[] {
  return secrets.filter((secret) => text.includes(secret.value)).map((secret) => secret.label);
}

/**
 * Every row of every table the ORM maps, as JSON text: a superset of the error columns
 * (`authorizations.last_error_message`, `segments.error_message`, …), so a new column is swept too.
 */
export async function storedRows(em: EntityManager): Promise<{ table: string; row: string }[]> {
  const tables = new Set(
    Object.values(em.getMetadata().getAll())
      .filter((meta) => !meta.abstract && !meta.embeddable && !meta.virtual && meta.tableName)
      .map((meta) => meta.tableName),
  );
  const rows: { table: string; row: string }[] = [];
  for (const table of [...tables].sort()) {
    const result = await em.getConnection().execute<Record<string, unknown>[]>(`SELECT * FROM "${table}"`);
    for (const row of result) rows.push({ table, row: JSON.stringify(row) });
  }
  return rows;
}
