import type { JSONSchemaType } from 'ajv';

/** Multi-key schema names (reference §4.2); inside a multi-key payload hashed keys are SHA-256 hex. */
export const MULTI_KEYS = [
  'EXTERN_ID',
  'EMAIL',
  'PHONE',
  'GEN',
  'DOBY',
  'DOBM',
  'DOBD',
  'LN',
  'FN',
  'FI',
  'CT',
  'ST',
  'ZIP',
  'COUNTRY',
  'MADID',
] as const;
export type MultiKey = (typeof MULTI_KEYS)[number];

/** Keys sent as they are, never hashed (reference §5): MADID lowercase with hyphens, EXTERN_ID. */
export const UNHASHED_KEYS: readonly MultiKey[] = ['EXTERN_ID', 'MADID'];

/** Single-key schemas (reference §4.2): the two hashed ones and the unhashed mobile advertiser id. */
export const SINGLE_KEYS = ['EMAIL_SHA256', 'PHONE_SHA256', 'MOBILE_ADVERTISER_ID', 'EXTERN_ID'] as const;
export type SingleKey = (typeof SINGLE_KEYS)[number];

/** At most this many rows per `/users` or `/usersreplace` request (reference §4.1). */
export const MAX_ROWS_PER_REQUEST = 10_000;

/** The longest value of one cell the emulator accepts (a SHA-256 hex is 64; a MADID 36). */
export const MAX_CELL_LENGTH = 256;

/**
 * `payload` of `/users` and `/usersreplace` as a connector sends it: a multi-key schema and one row
 * per person, `""` for an unknown value. Sent as a JSON string in a form body, or as an object in a
 * JSON body (reference §0).
 */
export interface WireUsersPayload {
  schema: MultiKey[];
  data: string[][];
  is_raw?: boolean;
}

export const WIRE_USERS_PAYLOAD_SCHEMA: JSONSchemaType<WireUsersPayload> = {
  type: 'object',
  required: ['schema', 'data'],
  properties: {
    schema: {
      type: 'array',
      minItems: 1,
      maxItems: MULTI_KEYS.length,
      uniqueItems: true,
      items: { type: 'string', enum: [...MULTI_KEYS] },
    },
    data: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ROWS_PER_REQUEST,
      items: {
        type: 'array',
        maxItems: MULTI_KEYS.length,
        items: { type: 'string', maxLength: MAX_CELL_LENGTH },
      },
    },
    is_raw: { type: 'boolean', nullable: true },
  },
};

/**
 * `session` (reference §4.3): the advertiser's own id, unique within the ad account, 1-based
 * `batch_seq`, `last_batch_flag` on the final batch. Required on `/usersreplace`.
 */
export interface WireUsersSession {
  session_id: number;
  batch_seq: number;
  last_batch_flag: boolean;
  estimated_num_total?: number;
}

export const WIRE_USERS_SESSION_SCHEMA: JSONSchemaType<WireUsersSession> = {
  type: 'object',
  required: ['session_id', 'batch_seq', 'last_batch_flag'],
  properties: {
    session_id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    batch_seq: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    last_batch_flag: { type: 'boolean' },
    estimated_num_total: { type: 'integer', nullable: true, minimum: 0 },
  },
};

/**
 * The answer of `/users` (add, remove) and `/usersreplace` (reference §4.4): `num_received` counts
 * the whole session so far; `invalid_entry_samples` holds up to 100 samples (`{}` when none).
 */
export interface WireUsersAnswer {
  audience_id: string;
  session_id: string;
  num_received: number;
  num_invalid_entries: number;
  invalid_entry_samples: Record<string, string>;
}

export const WIRE_USERS_ANSWER_SCHEMA: JSONSchemaType<WireUsersAnswer> = {
  type: 'object',
  required: ['session_id', 'num_received', 'num_invalid_entries', 'invalid_entry_samples'],
  properties: {
    audience_id: { type: 'string' },
    session_id: { type: 'string' },
    num_received: { type: 'integer', minimum: 0 },
    num_invalid_entries: { type: 'integer', minimum: 0 },
    invalid_entry_samples: { type: 'object', required: [], additionalProperties: { type: 'string' } },
  },
};
