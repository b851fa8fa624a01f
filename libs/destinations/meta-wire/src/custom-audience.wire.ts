import type { JSONSchemaType } from 'ajv';
import { WIRE_PAGING_SCHEMA, type WirePaging } from './ad-account.wire';

/** `customer_file_source` values (reference §3). */
export const CUSTOMER_FILE_SOURCES = [
  'USER_PROVIDED_ONLY',
  'PARTNER_PROVIDED_ONLY',
  'BOTH_USER_AND_PARTNER_PROVIDED',
] as const;
export type CustomerFileSource = (typeof CUSTOMER_FILE_SOURCES)[number];

/**
 * `POST /{v}/act_<id>/customaudiences` (reference §3): a customer-list audience. Sent as form
 * parameters or a JSON body.
 */
export interface WireCreateCustomAudienceRequest {
  name: string;
  subtype: 'CUSTOM';
  customer_file_source: CustomerFileSource;
  description?: string;
}

/** Meta documents no name limit (UNCONFIRMED); these bounds are the emulator's and the connector's. */
export const AUDIENCE_NAME_MAX_LENGTH = 255;
export const AUDIENCE_DESCRIPTION_MAX_LENGTH = 1000;

export const WIRE_CREATE_CUSTOM_AUDIENCE_REQUEST_SCHEMA: JSONSchemaType<WireCreateCustomAudienceRequest> = {
  type: 'object',
  required: ['name', 'subtype', 'customer_file_source'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: AUDIENCE_NAME_MAX_LENGTH },
    subtype: { type: 'string', const: 'CUSTOM' },
    customer_file_source: { type: 'string', enum: [...CUSTOMER_FILE_SOURCES] },
    description: { type: 'string', nullable: true, maxLength: AUDIENCE_DESCRIPTION_MAX_LENGTH },
  },
};

/** The create answer: only `id` comes back in practice (reference §3). */
export interface WireCreateCustomAudienceAnswer {
  id: string;
}

export const WIRE_CREATE_CUSTOM_AUDIENCE_ANSWER_SCHEMA: JSONSchemaType<WireCreateCustomAudienceAnswer> = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9]+$' } },
};

/** `operation_status` / `delivery_status` (reference §6). */
export interface WireAudienceStatus {
  code: number;
  description?: string;
}

const STATUS_SCHEMA: JSONSchemaType<WireAudienceStatus> = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'integer' }, description: { type: 'string', nullable: true } },
};

/**
 * `GET /{v}/<audience id>?fields=id,name,approximate_count_lower_bound,approximate_count_upper_bound,
 * operation_status,delivery_status,time_content_updated` (reference §6): what a connector reads to
 * report processing. Timestamps are unix seconds; counts are -1 when unknown.
 */
export interface WireCustomAudience {
  id: string;
  name?: string;
  description?: string;
  subtype?: string;
  customer_file_source?: string;
  approximate_count_lower_bound?: number;
  approximate_count_upper_bound?: number;
  operation_status?: WireAudienceStatus;
  delivery_status?: WireAudienceStatus;
  time_created?: number;
  time_updated?: number;
  time_content_updated?: number;
  retention_days?: number;
}

/** The fields a connector asks for when it reads an audience's state. */
export const AUDIENCE_STATE_FIELDS = [
  'id',
  'name',
  'approximate_count_lower_bound',
  'approximate_count_upper_bound',
  'operation_status',
  'delivery_status',
  'time_content_updated',
] as const;

const CUSTOM_AUDIENCE_SCHEMA: JSONSchemaType<WireCustomAudience> = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^[0-9]+$' },
    name: { type: 'string', nullable: true },
    description: { type: 'string', nullable: true },
    subtype: { type: 'string', nullable: true },
    customer_file_source: { type: 'string', nullable: true },
    approximate_count_lower_bound: { type: 'integer', nullable: true },
    approximate_count_upper_bound: { type: 'integer', nullable: true },
    operation_status: { ...STATUS_SCHEMA, nullable: true },
    delivery_status: { ...STATUS_SCHEMA, nullable: true },
    time_created: { type: 'integer', nullable: true },
    time_updated: { type: 'integer', nullable: true },
    time_content_updated: { type: 'integer', nullable: true },
    retention_days: { type: 'integer', nullable: true },
  },
};

export const WIRE_CUSTOM_AUDIENCE_SCHEMA = CUSTOM_AUDIENCE_SCHEMA;

/** `GET /{v}/act_<id>/customaudiences?fields=id,name&limit=…` with cursor paging. */
export interface WireCustomAudienceList {
  data: WireCustomAudience[];
  paging?: WirePaging;
}

export const WIRE_CUSTOM_AUDIENCE_LIST_SCHEMA: JSONSchemaType<WireCustomAudienceList> = {
  type: 'object',
  required: ['data'],
  properties: {
    data: { type: 'array', items: CUSTOM_AUDIENCE_SCHEMA },
    paging: { ...WIRE_PAGING_SCHEMA, nullable: true },
  },
};

/** Operation status codes a connector acts on (reference §6). */
export enum AudienceOperationStatus {
  NOT_AVAILABLE = 0,
  NORMAL = 200,
  NO_UPLOAD = 410,
  HIGH_INVALID_RATE = 412,
  REPLACE_IN_PROGRESS = 414,
  REPLACE_FAILED = 415,
  POPULATING = 441,
  INTEGRITY_FLAGGED = 471,
}

/** Delivery status codes (reference §6): 200 ready, 300 too small, ≥ 400 unusable. */
export enum AudienceDeliveryStatus {
  READY = 200,
  TOO_SMALL = 300,
}
