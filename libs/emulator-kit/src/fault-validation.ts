/** Why an outcome is refused (admin API): it is not one of the emulator's. */
export function invalidOutcome(outcome: unknown, outcomes: readonly string[]): string | undefined {
  if (!outcomes.includes(String(outcome))) return `outcome must be one of ${outcomes.join(', ')}`;
  return undefined;
}

/** Why a scheduled fault's `times` is refused: a whole number from 1 (to `max` when given). */
export function invalidTimes(times: number | undefined, max?: number): string | undefined {
  if (times === undefined) return undefined;
  if (max === undefined)
    return !Number.isInteger(times) || times < 1 ? 'times must be a whole number >= 1' : undefined;
  if (!Number.isInteger(times) || times < 1 || times > max)
    return `times must be a whole number between 1 and ${max.toLocaleString('en-US')}`;
  return undefined;
}

/**
 * Why fault settings are refused (admin API), or undefined when they are fine: each must be a known
 * setting and a number >= 0; the rates at most 1, the others at most `maxDelayMs` when given.
 */
export function invalidFaultSettings(
  settings: Record<string, unknown>,
  known: object,
  rates: readonly string[],
  maxDelayMs?: number,
): string | undefined {
  for (const [name, value] of Object.entries(settings)) {
    const rate = rates.includes(name);
    if (
      !(name in known) ||
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (rate && value > 1) ||
      (!rate && maxDelayMs !== undefined && value > maxDelayMs)
    ) {
      const bounds =
        maxDelayMs === undefined
          ? 'the *Rate ones at most 1'
          : `the *Rate ones at most 1, the others at most ${maxDelayMs}`;
      return `Unknown or invalid fault setting "${name}"; numbers >= 0 for ${Object.keys(known).join(', ')} (${bounds})`;
    }
  }
  return undefined;
}
