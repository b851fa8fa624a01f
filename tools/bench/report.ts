// The benchmarks' one output contract, read by scripts/bench.mjs: each bench prints exactly one line
// `BENCH_RESULT {json}` on stdout (anything else it prints is shown as-is). The runner computes the
// ratio to the target (value ÷ target for ">=", target ÷ value for "<=") and marks each figure met or
// missed; a bench never fails on a missed target, only when it cannot measure.

export const BENCH_RESULT_PREFIX = 'BENCH_RESULT ';

export interface BenchTarget {
  /** ">=": the value must reach the target (a rate); "<=": it must stay under it (a time, a size). */
  op: '>=' | '<=';
  value: number;
}

export interface BenchFigure {
  name: string;
  /** null when the figure could not be measured here (e.g. PostgreSQL absent): the runner shows SKIPPED. */
  value: number | null;
  unit: string;
  target?: BenchTarget;
  /** A short note shown beside the figure (what it was measured on, why it was skipped). */
  detail?: string;
}

export interface BenchResult {
  /** e.g. "4. Quota": sections are shown in `order`, figures in the order given. */
  section: string;
  order: number;
  figures: BenchFigure[];
}

/** True when `BENCH_SMOKE=1`: run a seconds-long version on tiny sizes (the specs check it still works). */
export function benchSmoke(): boolean {
  return process.env['BENCH_SMOKE'] === '1';
}

export function formatBenchResult(section: string, order: number, figures: BenchFigure[]): string {
  const result: BenchResult = { section, order, figures };
  return BENCH_RESULT_PREFIX + JSON.stringify(result);
}

/** Prints the bench's figures in the runner's format; call it once, at the end. */
export function reportBench(section: string, order: number, figures: BenchFigure[]): void {
  process.stdout.write(formatBenchResult(section, order, figures) + '\n');
}
