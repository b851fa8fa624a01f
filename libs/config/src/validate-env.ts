import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown when the environment does not satisfy an app's schema; lists every problem at once. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'InvalidEnvironmentError';
  }
}

type Constructor<T> = new () => T;

/**
 * Validates raw environment variables against a class-validator schema and returns the typed,
 * defaulted result. Every violation is reported in one error so an operator fixes them in one go.
 */
export function validateEnv<T extends object>(schema: Constructor<T>, raw: Record<string, unknown>): T {
  // Empty strings mean "not set": docker-compose and .env files produce them for blank variables.
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const env = plainToInstance(schema, present, { exposeDefaultValues: true });
  const errors = validateSync(env, {
    skipMissingProperties: false,
    forbidUnknownValues: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) {
    throw new InvalidEnvironmentError(errors.flatMap(describe));
  }
  return env;
}

function describe(error: ValidationError): string[] {
  const messages = Object.values(error.constraints ?? {});
  const shown = error.property.match(/SECRET|KEY|PASSWORD|TOKEN/i) ? '(hidden)' : JSON.stringify(error.value);
  return messages.map(
    (message) => `${error.property}: ${message} (got ${error.value === undefined ? 'nothing' : shown})`,
  );
}
