import type { JSONSchemaType } from 'ajv';

/**
 * `GET|POST /{v}/oauth/access_token`: the code exchange (`client_id`, `client_secret`, `redirect_uri`
 * byte-identical to the dialog's, `code`) or the long-lived exchange (`grant_type=fb_exchange_token`,
 * `fb_exchange_token`). Reference §1.2, §1.3. Sent as query or form parameters.
 */
export type WireAccessTokenRequest =
  | { client_id: string; client_secret: string; redirect_uri: string; code: string }
  | { grant_type: 'fb_exchange_token'; client_id: string; client_secret: string; fb_exchange_token: string };

/** The token answer: no refresh token; `expires_in` seconds (about 60 days for a long-lived one). */
export interface WireAccessTokenAnswer {
  access_token: string;
  token_type?: string;
  expires_in?: number;
}

export const WIRE_ACCESS_TOKEN_ANSWER_SCHEMA: JSONSchemaType<WireAccessTokenAnswer> = {
  type: 'object',
  required: ['access_token'],
  properties: {
    access_token: { type: 'string', minLength: 1 },
    token_type: { type: 'string', nullable: true },
    expires_in: { type: 'integer', nullable: true },
  },
};

/** `GET /{v}/debug_token?input_token=…&access_token=<app id>|<app secret>` (reference §1.4). */
export interface WireDebugTokenAnswer {
  data: {
    app_id: string;
    is_valid: boolean;
    /** Unix seconds; 0 = never. */
    expires_at: number;
    type?: string;
    user_id?: string;
    scopes?: string[];
    issued_at?: number;
    data_access_expires_at?: number;
  };
}

export const WIRE_DEBUG_TOKEN_ANSWER_SCHEMA: JSONSchemaType<WireDebugTokenAnswer> = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'object',
      required: ['app_id', 'is_valid', 'expires_at'],
      properties: {
        app_id: { type: 'string' },
        is_valid: { type: 'boolean' },
        expires_at: { type: 'integer' },
        type: { type: 'string', nullable: true },
        user_id: { type: 'string', nullable: true },
        scopes: { type: 'array', items: { type: 'string' }, nullable: true },
        issued_at: { type: 'integer', nullable: true },
        data_access_expires_at: { type: 'integer', nullable: true },
      },
    },
  },
};

/** The permissions a custom-audience connector asks for in the dialog's `scope`. */
export const META_AUDIENCE_SCOPES = ['ads_management', 'ads_read'] as const;
