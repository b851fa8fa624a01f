import type { JSONSchemaType } from 'ajv';

/**
 * Graph's error envelope (reference §2.2). A client classifies on `code` and `error_subcode`, never on
 * the HTTP status (400 for most codes, 403 for 200, 500 for 1 and 2, 400 or 429 for throttling).
 */
export interface WireGraphError {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_user_title?: string;
    error_user_msg?: string;
    is_transient?: boolean;
    fbtrace_id?: string;
  };
}

export const WIRE_GRAPH_ERROR_SCHEMA: JSONSchemaType<WireGraphError> = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'code'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        code: { type: 'integer' },
        error_subcode: { type: 'integer', nullable: true },
        error_user_title: { type: 'string', nullable: true },
        error_user_msg: { type: 'string', nullable: true },
        is_transient: { type: 'boolean', nullable: true },
        fbtrace_id: { type: 'string', nullable: true },
      },
    },
  },
};

/** `{"success": true}`: the answer of a delete or an update (`false` is a failure, reference §0). */
export interface WireSuccessAnswer {
  success: boolean;
}

export const WIRE_SUCCESS_ANSWER_SCHEMA: JSONSchemaType<WireSuccessAnswer> = {
  type: 'object',
  required: ['success'],
  properties: { success: { type: 'boolean' } },
};
