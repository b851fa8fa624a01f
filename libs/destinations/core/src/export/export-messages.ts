import type { ExportCounts } from '../provider/destination-provider';

/** A count as people read it: 1234567 → "1,234,567". */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

const DURATION_UNITS = [
  [60 * 60 * 1000, 'h'],
  [60 * 1000, 'min'],
  [1000, 's'],
] as const;

/** A duration as people read it: 21600000 → "6 h", 90000 → "1.5 min", 1500 → "1.5 s", 40 → "40 ms". */
export function describeDuration(ms: number): string {
  const unit = DURATION_UNITS.find(([size]) => ms >= size);
  return unit ? `${Number((ms / unit[0]).toFixed(1))} ${unit[1]}` : `${ms} ms`;
}

/** What was read and rejected, for an export that found nothing to send: "120 rows read; rejected: 100 MALFORMED, 20 EMPTY". */
export function describeInvalid(counts: ExportCounts): string {
  const reasons = Object.entries(counts.invalid).map(
    ([reason, count]) => `${formatCount(count ?? 0)} ${reason}`,
  );
  return `${formatCount(counts.read)} rows read${reasons.length ? `; rejected: ${reasons.join(', ')}` : ''}`;
}
