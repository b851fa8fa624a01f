import type { JSONSchemaType } from 'ajv';
import { ID_SCHEMA, type WireId, type WireNumber } from './wire-values';

/**
 * GET user/info/: a connector calls it only to learn that the token works, so nothing in `data` is
 * required (`data` must still be an object: WIRE_NOTHING_REQUIRED_SCHEMA).
 */
export interface WireUserInfoData {
  core_user_id: WireId;
  display_name: string;
  email?: string;
  create_time?: WireNumber;
}

/** GET advertiser/info/?advertiser_ids=[...] */
export interface WireAdvertiserInfoAnswer {
  list: { advertiser_id: WireId }[];
}

export interface WireAdvertiserInfoData extends WireAdvertiserInfoAnswer {
  list: {
    advertiser_id: WireId;
    name: string;
    status: string;
    currency?: string;
    timezone?: string;
    role?: string;
  }[];
}

export const WIRE_ADVERTISER_INFO_ANSWER_SCHEMA: JSONSchemaType<WireAdvertiserInfoAnswer> = {
  type: 'object',
  required: ['list'],
  properties: {
    list: {
      type: 'array',
      items: { type: 'object', required: ['advertiser_id'], properties: { advertiser_id: ID_SCHEMA } },
    },
  },
};
