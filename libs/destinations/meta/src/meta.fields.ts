import type { FieldDefinition } from '@conduit/destinations-core';
import {
  AUDIENCE_DESCRIPTION_MAX_LENGTH,
  AUDIENCE_NAME_MAX_LENGTH,
  CUSTOMER_FILE_SOURCES,
} from '@conduit/destinations-meta-wire';

export const META_ACTIONS = ['Create', 'Append', 'Replace'] as const;
export type MetaAction = (typeof META_ACTIONS)[number];

/** The Meta destination's fields, with Meta's own rules behind them (reference §3). */
export const META_FIELDS: readonly FieldDefinition[] = [
  {
    key: 'adAccountId',
    label: 'Ad account',
    description:
      'The Meta ad account that holds the audience (act_<id>); one of the ad accounts the authorization grants.',
    type: 'string',
    required: true,
    editable: false,
    example: 'act_1200000000000001',
    externalAccount: true,
    rules: { pattern: { regex: '^act_\\d{1,20}$', description: 'a Meta ad account id: act_ then digits' } },
  },
  {
    key: 'audienceName',
    label: 'Audience name',
    description:
      'Name of the custom audience in Meta Ads Manager. Append and Replace act on the audience the last Create recorded, else the newest with this name.',
    type: 'string',
    required: true,
    editable: true,
    example: 'Spring sale buyers',
    // Meta documents no limit (reference §3, UNCONFIRMED): the bound the emulator and the wire share.
    rules: { minLength: 1, maxLength: AUDIENCE_NAME_MAX_LENGTH },
  },
  {
    key: 'description',
    label: 'Description',
    description: 'What the audience holds, shown in Meta Ads Manager (set when the audience is created).',
    type: 'string',
    required: false,
    editable: true,
    example: 'Buyers of the spring sale, refreshed weekly',
    rules: { maxLength: AUDIENCE_DESCRIPTION_MAX_LENGTH },
  },
  {
    key: 'action',
    label: 'Action',
    description: 'Create a new audience, Append to the existing one, or Replace its members.',
    type: 'enum',
    required: true,
    editable: true,
    example: 'Create',
    rules: { values: META_ACTIONS },
    // A repeat after a refresh makes the audience the first run created hold the refreshed segment.
    onRepeat: { Create: 'Replace' },
  },
  {
    key: 'customerFileSource',
    label: 'Customer file source',
    description:
      'Where the identifiers come from, as Meta requires on every customer-list audience: collected from your customers (USER_PROVIDED_ONLY), from partners (PARTNER_PROVIDED_ONLY), or both.',
    type: 'enum',
    required: true,
    // The owner may let a partner say where the segment's data comes from.
    editable: true,
    default: 'USER_PROVIDED_ONLY',
    example: 'USER_PROVIDED_ONLY',
    rules: { values: CUSTOMER_FILE_SOURCES },
  },
];
