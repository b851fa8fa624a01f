import fc from 'fast-check';
import type { IdPool } from './id-pool';
import { inPool, type RawHttpClient, type RawRequest, type RawResponse } from './raw-http';

/** A request that answered 500 or more, or not at all, told so it can be replayed by hand. */
export interface FuzzFailure {
  label: string;
  request: string;
  answer: string;
}

export interface FuzzRunResult {
  sent: number;
  failures: FuzzFailure[];
  /** How many answers each status got, e.g. `{ 400: 5120, 404: 2011 }`. */
  statuses: Record<number, number>;
}

export interface LabelledRequest {
  label: string;
  request: RawRequest;
}

/** Requests are drawn in chunks, each from its own seed: ids created by one chunk feed the next. */
const CHUNK = 500;

/**
 * Draws `count` requests from `arbitrary` (reproducibly from `seed`), sends them `concurrency` at a time
 * and records every answer of 500 or more. Ids in successful answers join `ids`.
 */
export async function runFuzz(options: {
  client: RawHttpClient;
  arbitrary: () => fc.Arbitrary<LabelledRequest>;
  count: number;
  seed: number;
  concurrency: number;
  ids?: IdPool;
}): Promise<FuzzRunResult> {
  const result: FuzzRunResult = { sent: 0, failures: [], statuses: {} };
  for (let start = 0; start < options.count; start += CHUNK) {
    const drawn = fc.sample(options.arbitrary(), {
      seed: options.seed + start,
      numRuns: Math.min(CHUNK, options.count - start),
    });
    await inPool(drawn, options.concurrency, async ({ label, request }) => {
      const answer = await options.client
        .send(request)
        .catch((error: unknown): RawResponse => ({ status: 0, headers: {}, body: String(error), ms: 0 }));
      result.sent += 1;
      result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500 || answer.status === 0) {
        result.failures.push({
          label,
          request: describeRequest(request),
          answer: `${answer.status} ${answer.body.slice(0, 300)}`,
        });
      } else if (answer.status < 300 && options.ids) {
        learnIds(answer.body, options.ids);
      }
    });
  }
  return result;
}

/** Ids in a successful answer: the resource's own, or those of a page's items. */
function learnIds(body: string, ids: IdPool): void {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; data?: { id?: unknown }[] };
    ids.learn(parsed.id);
    if (Array.isArray(parsed.data)) for (const item of parsed.data) ids.learn(item?.id);
  } catch {
    // Not JSON (a 204, the docs page): nothing to learn.
  }
}

/** The request as a one-line recipe: method, URL, headers and the start of the body (secrets cut). */
export function describeRequest(request: RawRequest): string {
  const headers = Object.entries(request.headers)
    .map(
      ([name, value]) =>
        `${name}: ${name === 'authorization' ? String(value).slice(0, 16) + '…' : String(value).slice(0, 80)}`,
    )
    .join('; ');
  const body = request.body
    ? ` body(${request.body.length} B): ${JSON.stringify(request.body.subarray(0, 200).toString('latin1'))}`
    : '';
  return `${request.method} ${request.url.slice(0, 300)} [${headers}]${body}`;
}

/** Failures grouped by label, for a short report: `label ×count: first request → answer`. */
export function summarize(failures: readonly FuzzFailure[]): string {
  const byLabel = new Map<string, FuzzFailure[]>();
  for (const failure of failures)
    byLabel.set(failure.label, [...(byLabel.get(failure.label) ?? []), failure]);
  return [...byLabel.entries()]
    .map(([label, group]) => `${label} ×${group.length}: ${group[0]?.request} → ${group[0]?.answer}`)
    .join('\n');
}
