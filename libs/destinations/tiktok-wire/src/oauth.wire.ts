import type { JSONSchemaType } from 'ajv';
import { ID_SCHEMA, TEXT_SCHEMA, type WireId, type WireNumber } from './wire-values';

// Each answer comes as two types: `…Answer`, what a connector requires of `data` (checked against the
// schema by the client), and `…Data`, the whole `data` as TikTok documents it (what the emulator
// answers; it extends the first, so a field a connector starts to require must be answered).

/** POST oauth2/access_token/ */
export interface WireAccessTokenRequest {
  app_id: string;
  secret: string;
  auth_code: string;
}

/** The token is all a connector acts on (the accounts come from oauth2/advertiser/get/, with names). */
export interface WireAccessTokenAnswer {
  access_token: string;
}

export interface WireAccessTokenData extends WireAccessTokenAnswer {
  advertiser_ids: WireId[];
  scope: WireNumber[];
}

export const WIRE_ACCESS_TOKEN_ANSWER_SCHEMA: JSONSchemaType<WireAccessTokenAnswer> = {
  type: 'object',
  required: ['access_token'],
  properties: { access_token: TEXT_SCHEMA },
};

/** GET oauth2/advertiser/get/?app_id&secret: the advertisers the token covers. */
export interface WireAuthorizedAdvertisersAnswer {
  list: { advertiser_id: WireId }[];
}

export interface WireAuthorizedAdvertisersData extends WireAuthorizedAdvertisersAnswer {
  list: { advertiser_id: WireId; advertiser_name: string }[];
}

export const WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA: JSONSchemaType<WireAuthorizedAdvertisersAnswer> = {
  type: 'object',
  required: ['list'],
  properties: {
    list: {
      type: 'array',
      items: { type: 'object', required: ['advertiser_id'], properties: { advertiser_id: ID_SCHEMA } },
    },
  },
};

/** POST oauth2/revoke_token/ (body unconfirmed by TikTok; the one third-party connectors send). */
export interface WireRevokeTokenRequest {
  app_id: string;
  secret: string;
  access_token: string;
}
