import type { FieldDefinition } from '@conduit/destinations-core';

export const TIKTOK_ACTIONS = ['Create', 'Append', 'Replace'] as const;
export type TikTokAction = (typeof TIKTOK_ACTIONS)[number];

export const PHONE_HASH_FORMATS = ['E164_WITH_PLUS', 'E164_DIGITS_ONLY'] as const;

/** The seed's TikTok destination fields, with TikTok's own limits behind them. */
export const TIKTOK_FIELDS: readonly FieldDefinition[] = [
  {
    key: 'advertiserId',
    label: 'Advertiser ID',
    description:
      'The TikTok ad account that receives the audience; one of the advertisers the authorization grants.',
    type: 'string',
    required: true,
    editable: false,
    example: '7200000000000000001',
    externalAccount: true,
    rules: { pattern: { regex: '^\\d{1,20}$', description: 'a numeric TikTok advertiser id' } },
  },
  {
    key: 'audienceName',
    label: 'Audience Name',
    description:
      'Name of the custom audience in TikTok Audience Manager. Append and Replace act on the most recent audience with this name.',
    type: 'string',
    required: true,
    editable: true,
    example: 'Spring sale buyers',
    rules: {
      minLength: 10,
      maxLength: 70,
      pattern: {
        regex: '^[A-Za-z0-9 _-]+$',
        description: 'letters, numbers, spaces, hyphens and underscores only',
      },
    },
  },
  {
    key: 'action',
    label: 'Action',
    description: 'Create a new audience, Append to the existing one, or Replace its members.',
    type: 'enum',
    required: true,
    editable: true,
    example: 'Create',
    rules: { values: TIKTOK_ACTIONS },
    // A repeat after a refresh makes the audience the first run created hold the refreshed segment.
    onRepeat: { Create: 'Replace' },
  },
  {
    key: 'retentionInDays',
    label: 'Retention in days',
    description: 'How long TikTok keeps the audience (1-365). Unset: 365 days from its last use.',
    type: 'integer',
    required: false,
    editable: true,
    example: 180,
    rules: { min: 1, max: 365 },
  },
  {
    key: 'phoneHashFormat',
    label: 'Phone hash format',
    description:
      'Hash phone numbers as E.164 with the leading + (TikTok API documentation) or digits only (TikTok help centre).',
    type: 'enum',
    required: false,
    editable: false,
    default: 'E164_WITH_PLUS',
    example: 'E164_WITH_PLUS',
    rules: { values: PHONE_HASH_FORMATS },
  },
];
