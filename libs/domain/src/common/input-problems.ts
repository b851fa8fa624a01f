import type { ConfigValue } from '@conduit/destinations-core';
import { DomainException, ErrorCode, type FieldProblem } from './domain.exception';

/** A 400 listing every problem; the message names the first three, field first. */
export function invalidInput(prefix: string, problems: readonly FieldProblem[]): DomainException {
  const shown = problems.slice(0, 3).map((problem) => `${problem.field} ${problem.message}`);
  const message = `${prefix}: ${shown.join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}.`;
  return new DomainException(ErrorCode.VALIDATION_FAILED, message, problems);
}

/** Config values without empty entries (null, undefined, '' mean "not set"). */
export function compactConfig(values: Readonly<Record<string, unknown>>): Record<string, ConfigValue> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== null && value !== undefined && value !== ''),
  ) as Record<string, ConfigValue>;
}
