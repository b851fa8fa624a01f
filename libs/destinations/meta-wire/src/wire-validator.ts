import Ajv, { type ErrorObject, type JSONSchemaType } from 'ajv';

// One Ajv for every Meta wire schema: answers carry many fields a client never reads, so schemas list
// only what is used and allow the rest (no `additionalProperties: false`).
const ajv = new Ajv({ allErrors: true, strict: false });

/** A compiled check of one wire shape: `true` narrows the value, `false` leaves `errors` set. */
export interface WireCheck<T> {
  (value: unknown): value is T;
  /** The violations of the last failed check, as `path message` strings. */
  readonly lastErrors: readonly string[];
}

/** Compiles a wire schema once (module load), for the client's answers and the emulator's requests. */
export function compileWire<T>(schema: JSONSchemaType<T>): WireCheck<T> {
  const validate = ajv.compile<T>(schema);
  let lastErrors: string[] = [];
  const check = ((value: unknown): value is T => {
    const valid = validate(value);
    lastErrors = valid ? [] : describeErrors(validate.errors ?? []);
    return valid;
  }) as WireCheck<T>;
  Object.defineProperty(check, 'lastErrors', { get: () => lastErrors });
  return check;
}

/** `/data/0/id must be string`; at most 10, so a huge invalid answer gives a bounded message. */
export function describeErrors(errors: readonly ErrorObject[]): string[] {
  return errors.slice(0, 10).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}
