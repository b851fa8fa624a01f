import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningEmulator } from '@conduit/tiktok-emulator';

/** Names under which TikTok's OAuth calls carry a credential, in a query, a JSON body or a header. */
const CREDENTIAL_NAMES = new Set(['access_token', 'refresh_token', 'auth_code', 'secret', 'access-token']);

/** Hop-by-hop and length headers: `fetch` sets its own. */
const UNFORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export interface TikTokWiretap {
  /** Point TIKTOK_API_BASE_URL here instead of at the emulator. */
  apiBaseUrl: string;
  /** Every credential that crossed the wire: the app secret and auth codes sent, the tokens answered. */
  credentials: Set<string>;
  /** How many calls went through. */
  calls: number;
  close(): Promise<void>;
}

/**
 * A recording proxy between Conduit and the emulator's API. The emulator keeps the tokens it issues
 * to itself, so the secrets sweep learns them here, as TikTok's answers carry them on the wire.
 */
export async function startTikTokWiretap(tiktok: RunningEmulator): Promise<TikTokWiretap> {
  const credentials = new Set<string>();
  const tap = { calls: 0 };
  const server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      tap.calls++;
      const path = request.url ?? '/';
      new URL(path, tiktok.url).searchParams.forEach((value, name) => collect(name, value, credentials));
      collectHeaders(request.headers, credentials);
      collectJson(body, credentials);
      const upstream = await fetch(`${tiktok.url}${path}`, {
        method: request.method,
        headers: forwardable(request.headers),
        body: body.length > 0 ? body : undefined,
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      collectJson(answer, credentials);
      response.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      });
      response.end(answer);
    })().catch((error: unknown) => {
      // A dropped upstream connection (fault injection) reaches Conduit as one too.
      response.destroy(error instanceof Error ? error : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBaseUrl: `http://127.0.0.1:${port}${new URL(tiktok.apiBaseUrl).pathname}`,
    credentials,
    get calls() {
      return tap.calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function collect(name: string, value: unknown, into: Set<string>): void {
  if (CREDENTIAL_NAMES.has(name.toLowerCase()) && typeof value === 'string' && value.length > 0)
    into.add(value);
}

function collectHeaders(headers: IncomingHttpHeaders, into: Set<string>): void {
  for (const [name, value] of Object.entries(headers)) collect(name, value, into);
}

/** Walks a JSON body (TikTok's envelope nests `data`) for credential fields; other bodies are skipped. */
function collectJson(body: Buffer, into: Set<string>): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return;
  }
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [name, child] of Object.entries(value)) {
        collect(name, child, into);
        walk(child);
      }
    }
  };
  walk(parsed);
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name, value]) => !UNFORWARDED.has(name) && typeof value === 'string')
      .map(([name, value]) => [name, value as string]),
  );
}
