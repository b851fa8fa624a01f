import type { JSONSchemaType } from 'ajv';

/**
 * An answer whose `data` a connector reads nothing from (user/info/, revoke_token/, update/, delete/):
 * `data` must still be an object.
 */
export type WireNothingRequired = Record<string, unknown>;

export const WIRE_NOTHING_REQUIRED_SCHEMA: JSONSchemaType<WireNothingRequired> = {
  type: 'object',
  required: [],
};
