import Ajv, { type ErrorObject, type JSONSchemaType } from 'ajv';

// One Ajv for every TikTok wire schema. Answers carry many fields a connector never reads, so the
// schemas require only what it acts on and allow the rest (no `additionalProperties: false`). Ajv stops
// at the first violation (`allErrors: false`): one is all a message names. `verbose` hands over the
// failing schema, whose `description` says what was expected.
const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });

/** Where an answer breaks its schema: `list[0].audience_id`, and what was expected there (`an id`). */
export interface WireProblem {
  /** The field's path inside `data` (`data` itself when `data` is not an object). */
  path: string;
  expected: string;
}

/** A compiled check of one wire shape: `true` narrows the value, `false` leaves `lastProblem` set. */
export interface WireCheck<T> {
  (value: unknown): value is T;
  /** The first violation of the last failed check; undefined after a success. */
  readonly lastProblem: WireProblem | undefined;
}

/** Compiles a wire schema once (module load), for the client's answers and the emulator's specs. */
export function compileWire<T>(schema: JSONSchemaType<T>): WireCheck<T> {
  const validate = ajv.compile<T>(schema);
  let lastProblem: WireProblem | undefined;
  const check = ((value: unknown): value is T => {
    const valid = validate(value);
    lastProblem = valid ? undefined : problemOf(validate.errors ?? []);
    return valid;
  }) as WireCheck<T>;
  Object.defineProperty(check, 'lastProblem', { get: () => lastProblem });
  return check;
}

/**
 * Names the field by the schema's property names and list indexes only (never a value, nor a key
 * taken from the answer): an answer may echo personal data or a credential.
 */
export function problemOf(errors: readonly ErrorObject[]): WireProblem {
  const error = errors[0];
  if (!error) return { path: 'data', expected: 'a valid answer' };
  const segments = pointerSegments(error.instancePath);
  let schema = error.parentSchema as SchemaNode | undefined;
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
    segments.push(missing);
    schema = schema?.properties?.[missing];
  }
  return { path: pathOf(segments), expected: expectedOf(schema) };
}

interface SchemaNode {
  type?: string | readonly string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `['list', '0', 'audience_id']` → `list[0].audience_id`; `[]` → `data`. */
function pathOf(segments: readonly string[]): string {
  if (segments.length === 0) return 'data';
  return segments.reduce(
    (path, segment) =>
      /^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment,
    '',
  );
}

function expectedOf(schema: SchemaNode | undefined): string {
  if (schema?.description) return schema.description;
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  switch (type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'number':
    case 'integer':
      return 'a number';
    default:
      return 'a valid value';
  }
}
