import type { JSONSchemaType } from 'ajv';
import {
  COUNT_SCHEMA,
  ID_SCHEMA,
  TEXT_SCHEMA,
  type WireId,
  type WireNumber,
  type WireTime,
} from './wire-values';

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** POST dmp/custom_audience/create/ */
export interface WireCreateAudienceRequest {
  advertiser_id: string;
  custom_audience_name: string;
  calculate_type: string;
  file_paths: string[];
  audience_sub_type: 'NORMAL';
  retention_in_days?: number;
}

export type WireUpdateAction = 'APPEND' | 'REMOVE' | 'REPLACE';

/** POST dmp/custom_audience/update/ */
export interface WireUpdateAudienceRequest {
  advertiser_id: string;
  custom_audience_id: string;
  action: WireUpdateAction;
  file_paths: string[];
  custom_audience_name?: string;
}

/** POST dmp/custom_audience/delete/ (answers an empty `data`). */
export interface WireDeleteAudiencesRequest {
  advertiser_id: string;
  custom_audience_ids: string[];
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/** POST dmp/custom_audience/file/upload/ (multipart: advertiser_id, calculate_type, file_signature, file). */
export interface WireFileUploadAnswer {
  file_path: string;
}

export type WireFileUploadData = WireFileUploadAnswer;

export const WIRE_FILE_UPLOAD_ANSWER_SCHEMA: JSONSchemaType<WireFileUploadAnswer> = {
  type: 'object',
  required: ['file_path'],
  properties: { file_path: TEXT_SCHEMA },
};

/**
 * The answer of create/ (and of update/, where a connector requires nothing: the id is the one it
 * sent, so an answer without it is still a success).
 */
export interface WireAudienceIdAnswer {
  custom_audience_id: WireId;
}

export type WireAudienceIdData = WireAudienceIdAnswer;

export const WIRE_AUDIENCE_ID_ANSWER_SCHEMA: JSONSchemaType<WireAudienceIdAnswer> = {
  type: 'object',
  required: ['custom_audience_id'],
  properties: { custom_audience_id: ID_SCHEMA },
};

/** One row of list/ (and `audience_details` of get/): a connector requires only the id. */
export interface WireAudienceSummaryAnswer {
  audience_id: WireId;
}

export interface WireAudienceSummary extends WireAudienceSummaryAnswer {
  name: string;
  cover_num: WireNumber;
  is_valid: boolean;
  is_expiring: boolean;
  calculate_type: string;
  create_time: WireTime;
  expired_time: WireTime;
  is_creator?: boolean;
  shared?: boolean;
  audience_type?: string;
}

/** Page totals drive a connector's paging: when present they must be counts (absent reads as 0). */
export interface WirePageInfoAnswer {
  total_number?: WireNumber | null;
  total_page?: WireNumber | null;
}

export interface WirePageInfo extends WirePageInfoAnswer {
  page: WireNumber;
  page_size: WireNumber;
  total_number: WireNumber;
  total_page: WireNumber;
}

/** GET dmp/custom_audience/list/?advertiser_id&page&page_size&custom_audience_ids=[...] */
export interface WireAudienceListAnswer {
  list: WireAudienceSummaryAnswer[];
  page_info: WirePageInfoAnswer;
}

export interface WireAudienceListData extends WireAudienceListAnswer {
  list: WireAudienceSummary[];
  page_info: WirePageInfo;
}

const OPTIONAL_COUNT_SCHEMA = { ...COUNT_SCHEMA, nullable: true } as const;

export const WIRE_AUDIENCE_LIST_ANSWER_SCHEMA: JSONSchemaType<WireAudienceListAnswer> = {
  type: 'object',
  required: ['list', 'page_info'],
  properties: {
    list: {
      type: 'array',
      items: { type: 'object', required: ['audience_id'], properties: { audience_id: ID_SCHEMA } },
    },
    page_info: {
      type: 'object',
      required: [],
      properties: { total_number: OPTIONAL_COUNT_SCHEMA, total_page: OPTIONAL_COUNT_SCHEMA },
    },
  },
};

/** An audience's state in get/: its id, and its size when present (absent reads as 0). */
export interface WireAudienceDetailsAnswer extends WireAudienceSummaryAnswer {
  cover_num?: WireNumber | null;
}

export interface WireAudienceDetails extends WireAudienceSummary, WireAudienceDetailsAnswer {
  cover_num: WireNumber;
  /** TikTok's status note (e.g. "Processing"). */
  msg?: string;
  /** Why the audience failed. */
  error_msg?: string;
  retention_in_days?: number | null;
}

export interface WireAudienceHistoryEntry {
  action: string;
  opt_time: WireTime;
  action_detail?: string;
  editor?: string;
  size_after?: number;
}

/** GET dmp/custom_audience/get/?advertiser_id&custom_audience_ids=[...]&history_size */
export interface WireAudienceGetAnswer {
  list: { audience_details: WireAudienceDetailsAnswer }[];
}

export interface WireAudienceGetData extends WireAudienceGetAnswer {
  list: { audience_details: WireAudienceDetails; audience_history?: WireAudienceHistoryEntry[] }[];
}

export const WIRE_AUDIENCE_GET_ANSWER_SCHEMA: JSONSchemaType<WireAudienceGetAnswer> = {
  type: 'object',
  required: ['list'],
  properties: {
    list: {
      type: 'array',
      items: {
        type: 'object',
        required: ['audience_details'],
        properties: {
          audience_details: {
            type: 'object',
            required: ['audience_id'],
            properties: { audience_id: ID_SCHEMA, cover_num: OPTIONAL_COUNT_SCHEMA },
          },
        },
      },
    },
  },
};
