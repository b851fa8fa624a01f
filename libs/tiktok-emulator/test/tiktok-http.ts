import { createHash } from 'node:crypto';

/** A TikTok answer: the envelope every endpoint returns. */
export interface Envelope<T = Record<string, unknown>> {
  code: number;
  message: string;
  request_id: string;
  data: T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyData = any;

/** Minimal TikTok client for the emulator's specs (the product's client is the connector's). */
export class TikTokHttp {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  async get(
    path: string,
    query: Record<string, string | string[] | number> = {},
  ): Promise<Envelope<AnyData>> {
    const url = new URL(`${this.baseUrl}/open_api/v1.3${path}`);
    for (const [name, value] of Object.entries(query))
      url.searchParams.set(name, Array.isArray(value) ? JSON.stringify(value) : String(value));
    const response = await fetch(url, { headers: this.headers() });
    expectEnvelope(response);
    return (await response.json()) as Envelope<AnyData>;
  }

  async post(path: string, body: unknown): Promise<Envelope<AnyData>> {
    const response = await fetch(`${this.baseUrl}/open_api/v1.3${path}`, {
      method: 'POST',
      headers: { ...this.headers(), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expectEnvelope(response);
    return (await response.json()) as Envelope<AnyData>;
  }

  async upload(
    advertiserId: string,
    content: string | Buffer,
    options: { calculateType?: string; fileName?: string; signature?: string } = {},
  ): Promise<Envelope<AnyData>> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const form = new FormData();
    form.set('advertiser_id', advertiserId);
    form.set('calculate_type', options.calculateType ?? 'EMAIL_SHA256');
    form.set('file_signature', options.signature ?? createHash('md5').update(bytes).digest('hex'));
    form.set('file', new Blob([bytes]), options.fileName ?? 'audience.csv');
    const response = await fetch(`${this.baseUrl}/open_api/v1.3/dmp/custom_audience/file/upload/`, {
      method: 'POST',
      headers: this.headers(),
      body: form,
    });
    expectEnvelope(response);
    return (await response.json()) as Envelope<AnyData>;
  }

  async admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AnyData> {
    const response = await fetch(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json();
  }

  private headers(): Record<string, string> {
    return this.token ? { 'Access-Token': this.token } : {};
  }
}

function expectEnvelope(response: Response): void {
  if (response.status !== 200) throw new Error(`HTTP ${response.status} from the emulator`);
}

/** `count` distinct SHA-256 hex values derived from `label`. */
export function sha256Values(count: number, label = 'user'): string[] {
  return Array.from({ length: count }, (_, index) =>
    createHash('sha256').update(`${label}-${index}`).digest('hex'),
  );
}
