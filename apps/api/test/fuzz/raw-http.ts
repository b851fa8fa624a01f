import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OpenApiContract } from '../openapi-contract';

/** Starts the app's HTTP server on a free loopback port and answers the port. */
export async function listenOnLoopback(app: NestExpressApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return (app.getHttpServer().address() as AddressInfo).port;
}

/** A request exactly as the fuzzer sends it: raw path and query, raw headers, raw body bytes. */
export interface RawRequest {
  method: string;
  /** Path and query, already encoded (or deliberately not). */
  url: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** Longest a single answer may take before the fuzzer calls the server hung. */
const ANSWER_TIMEOUT_MS = 30_000;

/** Most objections kept word for word; the rest are only counted. */
const KEPT_VIOLATIONS = 50;

/**
 * Sends raw requests to the app listening on a loopback port, over kept-alive connections: faster
 * than supertest for thousands of requests, and with full control of the bytes (a Content-Encoding,
 * a body cut short, headers supertest would normalize).
 *
 * Every answer is checked against the committed OpenAPI document, as the e2e harness checks
 * supertest's: `contractViolations()` lists what broke the contract (and empties the list), for the
 * spec to assert empty.
 */
export class RawHttpClient {
  // With a `timeout`, Node's agent also honours the server's `Keep-Alive: timeout=5` hint, closing an
  // idle socket a second before the server does; without one it keeps idle sockets forever and may
  // reuse one the server is closing (ECONNRESET: 3 uploads of 1000 in a CI run, whose jobs kept the
  // event loop, shared with the app, busy past the server's 5 s between two rounds).
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: ANSWER_TIMEOUT_MS });
  private readonly violations: string[] = [];
  private violationCount = 0;

  constructor(
    private readonly port: number,
    private readonly contract: OpenApiContract = OpenApiContract.load(),
  ) {}

  /** The answers that broke the contract since the last call (at most 50 word for word), then forgets them. */
  contractViolations(): { count: number; first: string[] } {
    const found = { count: this.violationCount, first: this.violations.splice(0) };
    this.violationCount = 0;
    return found;
  }

  send(raw: RawRequest): Promise<RawResponse> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          agent: this.agent,
          host: '127.0.0.1',
          port: this.port,
          method: raw.method,
          path: raw.url,
          headers: { ...raw.headers, ...(raw.body ? { 'content-length': raw.body.length } : {}) },
          timeout: ANSWER_TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const answer: RawResponse = {
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            };
            this.check(raw, answer);
            resolve(answer);
          });
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
      outgoing.on('error', reject);
      outgoing.end(raw.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private check(raw: RawRequest, answer: RawResponse): void {
    let problems: string[];
    try {
      let body: unknown;
      if (/json/.test(String(answer.headers['content-type']))) {
        try {
          body = JSON.parse(answer.body);
        } catch {
          body = answer.body; // Declared JSON but not: the schema check says so.
        }
      }
      problems = this.contract.violations({
        method: raw.method,
        url: raw.url,
        status: answer.status,
        headers: answer.headers,
        body,
      });
    } catch (error) {
      problems = [`the checker could not read the answer: ${String(error)}`];
    }
    if (problems.length === 0) return;
    this.violationCount += 1;
    if (this.violations.length < KEPT_VIOLATIONS) {
      this.violations.push(`${raw.method} ${raw.url.slice(0, 200)}: ${problems.join('; ')}`);
    }
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight, in order of start. */
export async function inPool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Asks `/health` every `intervalMs` on its own connection while a run goes on, and keeps every
 * latency: the bar is that each probe answers 200 within a second, whatever the fuzzer sends.
 */
export class HealthProbe {
  readonly latencies: number[] = [];
  readonly failures: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  /** `client` should be the probe's own: a probe queued behind the fuzzer's requests measures the queue. */
  constructor(
    private readonly client: RawHttpClient,
    intervalMs = 100,
  ) {
    this.loop = this.probe(intervalMs);
  }

  private async probe(intervalMs: number): Promise<void> {
    while (this.running) {
      const answer = await this.client
        .send({ method: 'GET', url: '/health', headers: {} })
        .catch((error: unknown) => ({
          status: 0,
          headers: {},
          body: String(error),
          ms: Number.POSITIVE_INFINITY,
        }));
      this.latencies.push(answer.ms);
      if (answer.status !== 200) this.failures.push(`${answer.status} ${answer.body.slice(0, 200)}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Runs `task` while probing; resolves with its result and the slowest probe's answer in ms. */
  static async around<T>(
    client: RawHttpClient,
    task: () => Promise<T>,
  ): Promise<{ result: T; probe: HealthProbe; slowestMs: number }> {
    const probe = new HealthProbe(client);
    try {
      const result = await task();
      return { result, probe, slowestMs: await probe.stop() };
    } finally {
      await probe.stop();
    }
  }

  /** Stops probing; resolves with the slowest answer in ms. */
  async stop(): Promise<number> {
    this.running = false;
    await this.loop;
    return Math.max(0, ...this.latencies);
  }
}
