import fc from 'fast-check';
import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { IdPool } from './id-pool';
import { resolveSchema, type Schema } from './operations';

export interface ValueContext {
  document: OpenAPIObject;
  ids: IdPool;
}

/** Past this depth a schema-driven value stops nesting (schemas are shallow; this bounds cycles). */
const MAX_SCHEMA_DEPTH = 6;

/**
 * Connection URLs a data source may be given: only loopback (nothing leaves the machine), with the
 * options that have broken connection code before (`sslrootcert` naming a missing file).
 */
const DATA_SOURCE_URLS = [
  'postgres://reader@127.0.0.1:1/crm',
  'postgres://reader:secret@127.0.0.1:1/crm?sslmode=require',
  'postgres://reader@127.0.0.1:1/crm?sslrootcert=/nonexistent',
  'postgres://reader@127.0.0.1:1/crm?sslcert=/nonexistent&sslkey=/nonexistent',
  'postgres://reader@[::1]:1/crm?options=-c%20statement_timeout%3D1',
  'postgres://%00@127.0.0.1:1/crm',
  'mysql://root@127.0.0.1/x',
  'postgres://',
  'not a url',
];

/** Strings a careless handler mishandles: injections, traversal, control and bidi characters. */
const NASTY_STRINGS = [
  "' OR 1=1 --",
  '"; DROP TABLE segments; --',
  '../../../../etc/passwd',
  '/etc/passwd',
  '%s%s%s%n',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '\u202egnp.exe',
  '\ud800',
  '\r\nSet-Cookie: x=1',
  '   ',
  '',
  '0',
  '-1',
  'NaN',
  'null',
  'constructor',
  '__proto__',
  'a'.repeat(257),
];

/** Hostile strings: NUL characters, huge strings, arbitrary code points, nasty classics. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.integer({ min: 10_000, max: 300_000 }).map((length) => 'x'.repeat(length)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...NASTY_STRINGS),
);

/** A value of the wrong kind anywhere: null, hostile strings, odd numbers, containers, operators. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  hostileString,
  fc.constantFrom(-1, 0, 1.5, -0.000001, 1e308, 2 ** 53 + 1, -(2 ** 31)),
  fc.boolean(),
  fc.constantFrom([], {}, [null], { $ne: null }, { $gt: '' }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value the schema describes, often a valid one: the example, a real id, a value in range. */
export function schemaValue(
  schema: Schema,
  context: ValueContext,
  name = '',
  depth = 0,
): fc.Arbitrary<unknown> {
  const resolved = resolveSchema(schema, context.document);
  if (depth > MAX_SCHEMA_DEPTH) return fc.constant({});
  if (resolved.enum) return fc.constantFrom(...(resolved.enum as unknown[]));
  if (resolved.properties) return objectValue(resolved, context, depth);
  const variants = resolved.allOf ?? resolved.oneOf ?? resolved.anyOf;
  if (variants && variants.length > 0) {
    return fc.oneof(...variants.map((variant) => schemaValue(variant, context, name, depth + 1)));
  }
  switch (resolved.type) {
    case 'string':
      return stringValue(resolved, context, name);
    case 'integer':
      return fc.integer({ min: resolved.minimum ?? -10, max: resolved.maximum ?? 1_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schemaValue(resolved.items ?? {}, context, name, depth + 1), { maxLength: 4 });
    default:
      return fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  }
}

function objectValue(schema: SchemaObject, context: ValueContext, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [
      key,
      schemaValue(property, context, key, depth + 1),
    ]),
  );
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
}

function stringValue(schema: SchemaObject, context: ValueContext, name: string): fc.Arbitrary<string> {
  if (/ids?$/i.test(name)) {
    // A real id of the company most of the time, so the request reaches the code past the lookup.
    return fc.nat().map((index) => context.ids.pick(name, index) ?? 'xyz_unknown');
  }
  if (name === 'url') return fc.constantFrom(...DATA_SOURCE_URLS);
  if (schema.format === 'date-time')
    return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  const example = typeof schema.example === 'string' ? [fc.constant(schema.example)] : [];
  return fc.oneof(
    ...example,
    fc.string({ minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
  );
}

/** How a valid value is made hostile. */
type Mutation = 'replace' | 'unknownField' | 'dropField' | 'constructorKey';

/**
 * A schema value with one spot made hostile: a node replaced by `hostileValue`, an unknown or
 * `constructor` key added, or a field dropped. The spot is chosen among every node of the value.
 */
export function mutatedValue(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      valid,
      fc.nat(),
      hostileValue,
      fc.constantFrom<Mutation>('replace', 'replace', 'unknownField', 'dropField', 'constructorKey'),
      fc.string({ maxLength: 12 }),
    )
    .map(([value, spot, replacement, mutation, key]) =>
      mutate(structuredClone(value), spot, replacement, mutation, key),
    );
}

function mutate(root: unknown, spot: number, replacement: unknown, mutation: Mutation, key: string): unknown {
  const slots = slotsOf(root);
  const containers = [root, ...slots.map(([parent, at]) => parent[at])].filter(isObject);
  switch (mutation) {
    case 'replace': {
      if (slots.length === 0) return replacement;
      const [parent, at] = slots[spot % slots.length] as Slot;
      parent[at] = replacement;
      return root;
    }
    case 'dropField': {
      const [parent, at] = slots[spot % Math.max(slots.length, 1)] ?? [{}, ''];
      delete parent[at];
      return root;
    }
    case 'unknownField':
    case 'constructorKey': {
      const target = containers[spot % Math.max(containers.length, 1)];
      if (!target) return replacement;
      if (mutation === 'constructorKey') target['constructor'] = { prototype: { polluted: true } };
      else target[key || 'unknown'] = replacement;
      return root;
    }
  }
}

type Slot = [Record<string, unknown>, string];

/** Every (container, key) pair of a JSON value, found without recursion. */
function slotsOf(root: unknown): Slot[] {
  const slots: Slot[] = [];
  const pending = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (!isObject(value)) continue;
    for (const key of Object.keys(value)) {
      slots.push([value, key]);
      pending.push(value[key]);
    }
  }
  return slots;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
