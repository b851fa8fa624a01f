import { createHash } from 'node:crypto';

/** A Graph answer as a spec sees it. */
export interface GraphAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

type Params = Record<string, unknown>;

/**
 * How a call carries its parameters, as the clients of reference §0 do: `form` (Meta's examples:
 * urlencoded, objects as JSON strings), `multipart`, `json` (Segment: a JSON body) or `query`
 * (Meta's SDK for GET and DELETE: everything in the query string).
 */
export type Encoding = 'form' | 'multipart' | 'json' | 'query';

/** Minimal Graph client for the emulator's specs (the product's client is the connector's). */
export class GraphHttp {
  constructor(
    readonly url: string,
    public token?: string,
    readonly version = 'v25.0',
    /** `param`: `access_token` in the parameters; `bearer`: an Authorization header. */
    public tokenIn: 'param' | 'bearer' = 'param',
  ) {}

  get(path: string, query: Params = {}): Promise<GraphAnswer> {
    return this.call('GET', path, query, 'query');
  }

  post(path: string, params: Params = {}, encoding: Encoding = 'form'): Promise<GraphAnswer> {
    return this.call('POST', path, params, encoding);
  }

  delete(path: string, params: Params = {}, encoding: Encoding = 'query'): Promise<GraphAnswer> {
    return this.call('DELETE', path, params, encoding);
  }

  async call(method: string, path: string, params: Params, encoding: Encoding): Promise<GraphAnswer> {
    const all: Params = { ...params };
    const headers: Record<string, string> = {};
    if (this.token && this.tokenIn === 'param' && all['access_token'] === undefined)
      all['access_token'] = this.token;
    if (this.token && this.tokenIn === 'bearer') headers['Authorization'] = `Bearer ${this.token}`;
    const url = new URL(`${this.url}/${this.version}${path}`);
    let body: string | FormData | undefined;
    if (encoding === 'query')
      for (const [name, value] of Object.entries(all)) url.searchParams.set(name, text(value));
    else if (encoding === 'json') {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(all);
    } else if (encoding === 'form') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(
        Object.entries(all).map(([name, value]): [string, string] => [name, text(value)]),
      ).toString();
    } else {
      const form = new FormData();
      for (const [name, value] of Object.entries(all)) form.set(name, text(value));
      body = form;
    }
    return answerOf(await fetch(url, { method, headers, body }));
  }

  /** Follows a `paging.next` link as it is (it carries the token when the first call did). */
  async follow(url: string): Promise<GraphAnswer> {
    return answerOf(await fetch(url));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${this.url}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json();
  }
}

async function answerOf(response: Response): Promise<GraphAnswer> {
  const raw = await response.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // not JSON: a fault's answer; the spec looks at the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** `count` distinct SHA-256 hex values derived from `label`. */
export function sha256Values(count: number, label = 'user'): string[] {
  return Array.from({ length: count }, (_, index) => sha256(`${label}-${index}@example.com`));
}

/** `count` distinct lowercase mobile advertiser ids (UUIDs). */
export function madids(count: number, label = 'device'): string[] {
  return Array.from({ length: count }, (_, index) => {
    const hex = sha256(`${label}-${index}`);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  });
}
