/** The config fields a provider asks for: one schema drives validation, error messages and the API docs. */
export type FieldType = 'string' | 'integer' | 'enum';

export interface FieldRules {
  /** A regular expression the whole value must match, and how to explain it to a person. */
  pattern?: { regex: string; description: string };
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  /** Allowed values for `enum` fields. */
  values?: readonly string[];
}

export interface FieldDefinition {
  key: string;
  label: string;
  description: string;
  type: FieldType;
  required: boolean;
  rules?: FieldRules;
  default?: string | number;
  /** Whether the owner may mark the field editable at export time (a "runtime variable"). */
  editable: boolean;
  example: string | number;
  /** The value must be one of the authorization's external accounts (e.g. a TikTok advertiser id). */
  externalAccount?: boolean;
  /**
   * How a value reads when an export repeats after its segment is refreshed: e.g. TikTok's action
   * `Create` becomes `Replace`, so the repeat updates the audience the first run created.
   */
  onRepeat?: Readonly<Record<string, ConfigValue>>;
}

export type ConfigValue = string | number;
export type ConfigValues = Readonly<Record<string, ConfigValue>>;

/** One problem with one config value: `field` is `config.<key>`. */
export interface ConfigProblem {
  field: string;
  rule: string;
  message: string;
}

export interface ConfigContext {
  /** The authorization's external accounts, for `externalAccount` fields. */
  accountIds?: readonly string[];
}

/**
 * Checks config values against a provider's field schema and returns every problem (empty when
 * valid). Unknown keys are problems too, so a typo never passes silently.
 */
export function validateConfig(
  fields: readonly FieldDefinition[],
  values: Readonly<Record<string, unknown>>,
  context: ConfigContext = {},
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const known = new Set(fields.map((field) => field.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) {
      problems.push({
        field: `config.${key}`,
        rule: 'unknownField',
        message: `is not a field of this destination; known fields: ${[...known].join(', ')}`,
      });
    }
  }
  for (const field of fields) {
    const value = values[field.key];
    const path = `config.${field.key}`;
    if (value === undefined || value === null || value === '') {
      if (field.required && field.default === undefined)
        problems.push({ field: path, rule: 'required', message: `${field.label} is required` });
      continue;
    }
    problems.push(...checkValue(field, value, path, context));
  }
  return problems;
}

/** The values with defaults applied for absent optional fields. Call after `validateConfig` found nothing. */
export function resolveConfig(
  fields: readonly FieldDefinition[],
  values: Readonly<Record<string, unknown>>,
): Record<string, ConfigValue> {
  const resolved: Record<string, ConfigValue> = {};
  for (const field of fields) {
    const value = values[field.key];
    if (value !== undefined && value !== null && value !== '') resolved[field.key] = value as ConfigValue;
    else if (field.default !== undefined) resolved[field.key] = field.default;
  }
  return resolved;
}

/** The config a repeat of an export runs with: each field's `onRepeat` applied. */
export function repeatConfig(
  fields: readonly FieldDefinition[],
  values: Readonly<Record<string, ConfigValue>>,
): Record<string, ConfigValue> {
  const repeated: Record<string, ConfigValue> = { ...values };
  for (const field of fields) {
    const value = values[field.key];
    const next = value === undefined ? undefined : field.onRepeat?.[String(value)];
    if (next !== undefined) repeated[field.key] = next;
  }
  return repeated;
}

function checkValue(
  field: FieldDefinition,
  value: unknown,
  path: string,
  context: ConfigContext,
): ConfigProblem[] {
  const rules = field.rules ?? {};
  const problems: ConfigProblem[] = [];
  const problem = (rule: string, message: string) =>
    problems.push({ field: path, rule, message: `${field.label} ${message}` });
  if (field.type === 'integer') {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      problem('type', 'must be a whole number');
      return problems;
    }
    if (rules.min !== undefined && value < rules.min) problem('min', `must be at least ${rules.min}`);
    if (rules.max !== undefined && value > rules.max) problem('max', `must be at most ${rules.max}`);
    return problems;
  }
  if (typeof value !== 'string') {
    problem('type', 'must be a string');
    return problems;
  }
  if (field.type === 'enum') {
    const allowed = rules.values ?? [];
    if (!allowed.includes(value)) problem('enum', `must be one of ${allowed.join(', ')}`);
    return problems;
  }
  if (rules.minLength !== undefined && value.length < rules.minLength)
    problem('minLength', `must be at least ${rules.minLength} characters`);
  if (rules.maxLength !== undefined && value.length > rules.maxLength)
    problem('maxLength', `must be at most ${rules.maxLength} characters`);
  if (rules.pattern && !new RegExp(rules.pattern.regex, 'u').test(value))
    problem('pattern', `must be ${rules.pattern.description}`);
  if (
    field.externalAccount &&
    context.accountIds &&
    problems.length === 0 &&
    !context.accountIds.includes(value)
  ) {
    problem(
      'externalAccount',
      `must be one of the accounts this authorization can use: ${context.accountIds.join(', ') || '(none)'}`,
    );
  }
  return problems;
}
