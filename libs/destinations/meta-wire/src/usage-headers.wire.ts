import type { JSONSchemaType } from 'ajv';

/** The header names (lowercase, as node and fetch give them) carrying Meta's usage (reference §7). */
export const USAGE_HEADERS = {
  businessUseCase: 'x-business-use-case-usage',
  adAccount: 'x-ad-account-usage',
  app: 'x-app-usage',
} as const;

/**
 * One entry of `X-Business-Use-Case-Usage` (reference §7): percentages 0–100 (throttled at 100) and
 * `estimated_time_to_regain_access` in minutes. A client reads it to slow down before an 80003.
 */
export interface WireBusinessUseCaseEntry {
  type: string;
  call_count: number;
  total_cputime?: number;
  total_time?: number;
  estimated_time_to_regain_access: number;
  ads_api_access_tier?: string;
}

/** `{"<ad account id>": [entry, …]}`: the header's JSON. */
export type WireBusinessUseCaseUsage = Record<string, WireBusinessUseCaseEntry[]>;

export const WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA: JSONSchemaType<WireBusinessUseCaseUsage> = {
  type: 'object',
  required: [],
  maxProperties: 32,
  additionalProperties: {
    type: 'array',
    maxItems: 32,
    items: {
      type: 'object',
      required: ['type', 'call_count', 'estimated_time_to_regain_access'],
      properties: {
        type: { type: 'string' },
        call_count: { type: 'number', minimum: 0 },
        total_cputime: { type: 'number', nullable: true },
        total_time: { type: 'number', nullable: true },
        estimated_time_to_regain_access: { type: 'number', minimum: 0 },
        ads_api_access_tier: { type: 'string', nullable: true },
      },
    },
  },
};

/** `X-App-Usage`: the app's percentages (reference §7). */
export interface WireAppUsage {
  call_count: number;
  total_time?: number;
  total_cputime?: number;
}

export const WIRE_APP_USAGE_SCHEMA: JSONSchemaType<WireAppUsage> = {
  type: 'object',
  required: ['call_count'],
  properties: {
    call_count: { type: 'number', minimum: 0 },
    total_time: { type: 'number', nullable: true },
    total_cputime: { type: 'number', nullable: true },
  },
};

/**
 * `X-Ad-Account-Usage` (reference §7): the ad account's API-level score in percent (throttled at
 * 100) and `reset_time_duration`, the seconds until it is back to 0.
 */
export interface WireAdAccountUsage {
  acc_id_util_pct: number;
  reset_time_duration: number;
  ads_api_access_tier?: string;
}

export const WIRE_AD_ACCOUNT_USAGE_SCHEMA: JSONSchemaType<WireAdAccountUsage> = {
  type: 'object',
  required: ['acc_id_util_pct', 'reset_time_duration'],
  properties: {
    acc_id_util_pct: { type: 'number', minimum: 0 },
    reset_time_duration: { type: 'number', minimum: 0 },
    ads_api_access_tier: { type: 'string', nullable: true },
  },
};
