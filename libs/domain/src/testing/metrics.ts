/** One sample of a Prometheus text exposition: `name{label="value",…} 12.5`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The samples of a `/metrics` answer (Prometheus text format 0.0.4), comments skipped. Strict enough
 * for tests: a line that is neither a comment nor a sample throws, so a malformed exposition fails.
 */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = SAMPLE.exec(trimmed);
    if (!match) throw new Error(`Not a Prometheus sample: ${trimmed.slice(0, 200)}`);
    const labels: Record<string, string> = {};
    for (const [, name, raw] of (match[2] ?? '').matchAll(LABEL))
      labels[name] = raw.replace(/\\(["\\n])/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    samples.push({ name: match[1], labels, value: parseValue(match[3]) });
  }
  return samples;
}

/**
 * The sum of the samples named `name` whose labels include `labels` (0 when none): e.g.
 * `metricValue(samples, 'conduit_exports_total', { status: 'COMPLETED' })`.
 */
export function metricValue(
  samples: readonly MetricSample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return samples
    .filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * Scrapes a process's `/metrics` (the API's, or a scheduler's on METRICS_PORT) and parses it: what the
 * chaos and load suites read their figures from. `token`: the API's METRICS_TOKEN, when it has one.
 */
export async function scrapeMetrics(baseUrl: string, token?: string): Promise<MetricSample[]> {
  const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/metrics`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  // prom-client writes `Nan` (e.g. the event loop lag before its first sample).
  if (raw.toLowerCase() === 'nan') return NaN;
  const value = Number(raw);
  if (Number.isNaN(value)) throw new Error(`Not a Prometheus value: ${raw}`);
  return value;
}
