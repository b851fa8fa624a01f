import {
  compileWire,
  MAX_CELL_LENGTH,
  MULTI_KEYS,
  UNHASHED_KEYS,
  WIRE_USERS_PAYLOAD_SCHEMA,
  type MultiKey,
  type SingleKey,
} from '@conduit/destinations-meta-wire';
import { fail, invalidParameter } from './graph-errors';
import { GraphCode } from '@conduit/destinations-meta-wire';

/** One person as Meta stores them: the non-empty cells, in the multi-key order. */
export type MemberRow = readonly (readonly [MultiKey, string])[];

/** Single-key schemas and the multi-key column each one fills (reference §4.2). */
const SINGLE_KEY_COLUMNS: Readonly<Record<SingleKey, MultiKey>> = {
  EMAIL_SHA256: 'EMAIL',
  PHONE_SHA256: 'PHONE',
  MOBILE_ADVERTISER_ID: 'MADID',
  EXTERN_ID: 'EXTERN_ID',
};

/** Which data source an audience was first filled from: Meta refuses to switch (reference §4.1). */
export type SchemaFamily = 'MULTI_HASHES' | 'HASHES_OR_USER_IDS';

export interface ParsedPayload {
  family: SchemaFamily;
  schema: MultiKey[];
  /** Valid rows (invalid and blank ones left out). */
  rows: MemberRow[];
  /** Rows in the request, valid or not. */
  received: number;
  invalid: number;
  /** Up to 100 invalid values, each with the key it was sent as. */
  samples: Record<string, string>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** IDFA / GAID: a UUID, lowercase (reference §5: lowercase, hyphens kept, not hashed). */
const MADID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_SAMPLES = 100;
const checkPayload = compileWire(WIRE_USERS_PAYLOAD_SCHEMA);

/**
 * Reads a `/users` or `/usersreplace` payload: a multi-key schema with rows, or a single-key schema
 * with a flat list or a list of one-element lists (both exist: reference §4.1). Shape errors answer
 * 100 naming the problem; bad values are counted as invalid entries, as Meta does.
 */
export function parsePayload(payload: unknown, maxRows: number): ParsedPayload {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return invalidParameter('The parameter payload is required and must be an object with schema and data');
  const { schema, data } = payload as { schema?: unknown; data?: unknown };
  if (Array.isArray(data) && data.length > maxRows)
    invalidParameter(`Too many entries: at most ${maxRows} rows per request (got ${data.length})`);
  if (typeof schema === 'string') return parseSingleKey(schema, data);
  if (Array.isArray(schema)) {
    const unknown = schema.find(
      (key) => typeof key !== 'string' || !(MULTI_KEYS as readonly string[]).includes(key),
    );
    if (unknown !== undefined) invalidParameter(`Invalid schema key: ${String(unknown).slice(0, 64)}`);
  }
  if (!checkPayload(payload))
    return invalidParameter(`Invalid payload: ${checkPayload.lastErrors.join('; ')}`);
  const rows = payload.data.map((row, index) => {
    if (row.length !== payload.schema.length)
      invalidParameter(
        `Row ${index} has ${row.length} values but the schema has ${payload.schema.length} keys`,
      );
    return row;
  });
  return collect('MULTI_HASHES', payload.schema, rows);
}

function parseSingleKey(schema: string, data: unknown): ParsedPayload {
  const column = SINGLE_KEY_COLUMNS[schema as SingleKey];
  if (!column) return invalidParameter(`Invalid schema: ${schema.slice(0, 64)}`);
  if (!Array.isArray(data) || data.length === 0)
    return invalidParameter('payload.data must be a non-empty list');
  const rows = data.map((entry: unknown) => {
    const value = Array.isArray(entry) && entry.length === 1 ? entry[0] : entry;
    if (typeof value !== 'string' || value.length > MAX_CELL_LENGTH)
      return invalidParameter(
        `payload.data: each entry must be a string of at most ${MAX_CELL_LENGTH} characters`,
      );
    return [value];
  });
  return collect('HASHES_OR_USER_IDS', [column], rows);
}

function collect(family: SchemaFamily, schema: MultiKey[], data: string[][]): ParsedPayload {
  const rows: MemberRow[] = [];
  const samples: Record<string, string> = {};
  let invalid = 0;
  const order = schema.map((key) => MULTI_KEYS.indexOf(key));
  for (const cells of data) {
    const row: [MultiKey, string][] = [];
    let bad: string | undefined;
    let badKey: MultiKey | undefined;
    cells.forEach((value, column) => {
      if (value === '' || bad !== undefined) return;
      const key = schema[column];
      if (!isValidValue(key, value)) {
        bad = value;
        badKey = key;
      } else row.push([key, value]);
    });
    if (bad !== undefined) {
      invalid++;
      if (Object.keys(samples).length < MAX_SAMPLES) samples[bad] = badKey as string;
      continue;
    }
    if (row.length === 0) continue; // a blank row: nothing to match
    row.sort((a, b) => order[schema.indexOf(a[0])] - order[schema.indexOf(b[0])]);
    rows.push(row);
  }
  return { family, schema, rows, received: data.length, invalid, samples };
}

/**
 * Meta's rules as the emulator enforces them (reference §4.4, §5): hashed keys must be lowercase
 * SHA-256 hex; MADID must be a plain lowercase advertiser id (a hash of one is invalid); EXTERN_ID is
 * any text. So a connector that hashes a MADID, or sends a plaintext email, sees it counted invalid.
 */
export function isValidValue(key: MultiKey, value: string): boolean {
  if (key === 'MADID') return MADID.test(value);
  if (UNHASHED_KEYS.includes(key)) return value.trim() !== '';
  return SHA256_HEX.test(value);
}

/** Two schemas are the same for a replace session when they list the same keys in the same order. */
export function sameSchema(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, index) => key === b[index]);
}

export const familyMismatch = (audienceFamily: SchemaFamily, family: SchemaFamily): never =>
  fail(
    GraphCode.AUDIENCE_UPDATE_FAILED,
    `(#2650) Failed to update the custom audience: This audience was created from data source FILE_IMPORTED.${audienceFamily}, which does not support data source FILE_IMPORTED.${family}.`,
  );
