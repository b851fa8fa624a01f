import type { JSONSchemaType } from 'ajv';

/** Cursor paging of every Graph list (reference §1.6): follow `paging.next` until it is absent. */
export interface WirePaging {
  cursors?: { before?: string; after?: string };
  next?: string;
  previous?: string;
}

export const WIRE_PAGING_SCHEMA: JSONSchemaType<WirePaging> = {
  type: 'object',
  required: [],
  properties: {
    cursors: {
      type: 'object',
      nullable: true,
      required: [],
      properties: {
        before: { type: 'string', nullable: true },
        after: { type: 'string', nullable: true },
      },
    },
    next: { type: 'string', nullable: true },
    previous: { type: 'string', nullable: true },
  },
};

/** One ad account of `GET /{v}/me/adaccounts?fields=id,account_id,name,account_status`. */
export interface WireAdAccount {
  /** `act_<numeric id>`: how the account is addressed. */
  id: string;
  account_id?: string;
  name?: string;
  /** 1 ACTIVE, 2 DISABLED, 3 UNSETTLED, … (reference §1.6, UNCONFIRMED enum). */
  account_status?: number;
}

export interface WireAdAccountList {
  data: WireAdAccount[];
  paging?: WirePaging;
}

export const WIRE_AD_ACCOUNT_LIST_SCHEMA: JSONSchemaType<WireAdAccountList> = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', pattern: '^act_[0-9]+$' },
          account_id: { type: 'string', nullable: true },
          name: { type: 'string', nullable: true },
          account_status: { type: 'integer', nullable: true },
        },
      },
    },
    paging: { ...WIRE_PAGING_SCHEMA, nullable: true },
  },
};

/**
 * `GET /{v}/act_<id>?fields=tos_accepted` (reference §8): `{"custom_audience_tos": 1}` once the
 * custom-audience terms are accepted; the key is absent (or 0) otherwise.
 */
export interface WireAdAccountTerms {
  id: string;
  tos_accepted?: Record<string, number>;
  user_tos_accepted?: Record<string, number>;
}

export const WIRE_AD_ACCOUNT_TERMS_SCHEMA: JSONSchemaType<WireAdAccountTerms> = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    tos_accepted: {
      type: 'object',
      nullable: true,
      required: [],
      additionalProperties: { type: 'integer' },
    },
    user_tos_accepted: {
      type: 'object',
      nullable: true,
      required: [],
      additionalProperties: { type: 'integer' },
    },
  },
};

/** Where a person accepts an ad account's custom-audience terms (reference §8). */
export function customAudienceTermsUrl(adAccountId: string): string {
  return `https://business.facebook.com/ads/manage/customaudiences/tos/?act=${adAccountId.replace(/^act_/, '')}`;
}
