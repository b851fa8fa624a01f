import type { KeyType, RejectionReason } from '../identifiers';
import type { ExportCounts, KeyTypeCounts } from '../provider/destination-provider';

/** Rejected values kept, masked, per key type and reason: enough to see the pattern, never the list. */
export const INVALID_EXAMPLES_PER_REASON = 3;
/** Longest masked example kept; longer ones end in "…". */
export const MASKED_EXAMPLE_LENGTH = 40;

const MASK = '•';
/** Characters an example never carries: control characters and lone surrogates. */
const UNSTORABLE = /[\p{Cc}\p{Cs}]/u;

/**
 * A rejected value shown without revealing it: letters and digits become "•" except the first of
 * each run, while the separators that usually explain a rejection (`@`, `.`, `+`, `-`, spaces,
 * brackets, commas) stay; a control character or a lone surrogate becomes "\uFFFD" (a NUL would
 * make the example unstorable in PostgreSQL's jsonb). `jane@-example.com` → `j•••@-e••••••.c••`.
 */
export function maskIdentifier(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  let masked = '';
  let inRun = false;
  for (const char of text) {
    if (masked.length >= MASKED_EXAMPLE_LENGTH) return `${masked}…`;
    if (UNSTORABLE.test(char)) {
      // A control character or a lone surrogate: unreadable, and PostgreSQL's jsonb refuses \u0000.
      masked += '\uFFFD';
      inRun = false;
      continue;
    }
    const word = /[\p{L}\p{N}]/u.test(char);
    masked += word && inRun ? MASK : char;
    inRun = word;
  }
  return masked;
}

/** The counts of one key type, created on first use. */
export function countsOfKeyType(counts: ExportCounts, keyType: KeyType): KeyTypeCounts {
  const byKeyType = (counts.byKeyType ??= {});
  return (byKeyType[keyType] ??= { valid: 0, invalid: {}, duplicates: 0 });
}

/**
 * Counts a rejected value by reason, overall and for its key type, and keeps the first few of each
 * reason masked (not for EMPTY: there is nothing to show).
 */
export function countRejected(
  counts: ExportCounts,
  keyType: KeyType,
  reason: RejectionReason,
  value: unknown,
  {
    example = true,
  }: {
    /** false: the value is not at hand (it was not kept as a candidate example). */ example?: boolean;
  } = {},
): void {
  counts.invalid[reason] = (counts.invalid[reason] ?? 0) + 1;
  const ofType = countsOfKeyType(counts, keyType);
  ofType.invalid[reason] = (ofType.invalid[reason] ?? 0) + 1;
  if (reason === 'EMPTY' || !example) return;
  const examples = ((ofType.invalidExamples ??= {})[reason] ??= []);
  if (examples.length < INVALID_EXAMPLES_PER_REASON) examples.push(maskIdentifier(value));
}
