import type { DestinationProvider, FieldDefinition } from '@conduit/destinations-core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// A provider as GET /providers describes it: its config fields and their rules, the identifier keys it
// accepts (ProviderKeysDto), its limits.

export class FieldPatternDto {
  @ApiProperty({ example: '^[A-Za-z0-9 _-]+$' })
  regex!: string;

  @ApiProperty({ example: 'letters, numbers, spaces, hyphens and underscores only' })
  description!: string;
}

export class FieldRulesDto {
  @ApiPropertyOptional({ example: 10 })
  minLength?: number;

  @ApiPropertyOptional({ example: 70 })
  maxLength?: number;

  @ApiPropertyOptional({ example: 1 })
  min?: number;

  @ApiPropertyOptional({ example: 365 })
  max?: number;

  @ApiPropertyOptional({ type: FieldPatternDto })
  pattern?: FieldPatternDto;

  @ApiPropertyOptional({ type: [String], example: ['Create', 'Append', 'Replace'] })
  values?: string[];
}

/** One field of a provider's config schema. */
export class ProviderFieldDto {
  @ApiProperty({ example: 'audienceName' })
  key!: string;

  @ApiProperty({ example: 'Audience Name' })
  label!: string;

  @ApiProperty({ example: 'Name of the custom audience in TikTok Audience Manager.' })
  description!: string;

  @ApiProperty({ enum: ['string', 'integer', 'enum'] })
  type!: string;

  @ApiProperty({ example: true })
  required!: boolean;

  @ApiProperty({
    example: true,
    description: 'Whether a destination may make this field editable at export time (a runtime variable).',
  })
  editable!: boolean;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'integer' }], example: 'E164_WITH_PLUS' })
  default?: string | number;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'integer' }], example: 'Spring sale buyers' })
  example!: string | number;

  @ApiPropertyOptional({
    example: true,
    description: "The value must be one of the authorization's accounts (TikTok: an advertiser id).",
  })
  externalAccount?: boolean;

  @ApiPropertyOptional({ type: FieldRulesDto })
  rules?: FieldRulesDto;
}

/** The activation keys a provider takes: key types, encodings, the fewest key columns an export maps. */
export class ProviderKeysDto {
  @ApiProperty({ type: [String], example: ['EMAIL', 'PHONE', 'MAID'] })
  types!: string[];

  @ApiProperty({ type: [String], example: ['RAW', 'SHA256'] })
  encodings!: string[];

  @ApiProperty({ example: 1 })
  minKeys!: number;

  @ApiProperty({
    type: [String],
    example: [],
    description:
      'Key types the provider receives as normalized text, never hashed (Meta: MAID): only RAW columns may be mapped to them.',
  })
  plainTypes!: string[];
}

export class ProviderDto {
  @ApiProperty({ example: 'tiktok' })
  id!: string;

  @ApiProperty({ example: 'TikTok Ads' })
  displayName!: string;

  @ApiProperty({
    example: true,
    description:
      'Configured on this Conduit; when false, `unavailableReason` says what the operator must set.',
  })
  available!: boolean;

  @ApiPropertyOptional({
    example:
      'TikTok is not configured on this Conduit: the operator must set TIKTOK_APP_ID and TIKTOK_APP_SECRET …',
  })
  unavailableReason?: string;

  @ApiPropertyOptional({ example: 'https://business-api.tiktok.com/portal/docs?id=1739940570793985' })
  documentationUrl?: string;

  @ApiProperty({
    type: [ProviderFieldDto],
    description: 'The config fields of a destination of this provider.',
  })
  fields!: ProviderFieldDto[];

  @ApiPropertyOptional({ type: ProviderKeysDto })
  keys?: ProviderKeysDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: {
      audiencesPerAccount: 400,
      minAudienceSize: 1000,
      maxFileBytes: 262144000,
      requestsPerSecond: 10,
    },
  })
  limits?: Record<string, number>;
}

function rulesDto(rules: NonNullable<FieldDefinition['rules']>): FieldRulesDto {
  const { values, pattern, ...bounds } = rules;
  return {
    ...bounds,
    ...(values ? { values: [...values] } : {}),
    ...(pattern ? { pattern: { ...pattern } } : {}),
  };
}

/** A provider field as GET /providers shows it; a destination's fields add its settings. */
export function toProviderFieldDto(field: FieldDefinition): ProviderFieldDto {
  return {
    key: field.key,
    label: field.label,
    description: field.description,
    type: field.type,
    required: field.required,
    editable: field.editable,
    ...(field.default === undefined ? {} : { default: field.default }),
    example: field.example,
    ...(field.externalAccount ? { externalAccount: true } : {}),
    ...(field.rules ? { rules: rulesDto(field.rules) } : {}),
  };
}

export function toProviderDto(provider: DestinationProvider): ProviderDto {
  return {
    id: provider.id,
    displayName: provider.displayName,
    available: true,
    documentationUrl: provider.documentationUrl,
    fields: provider.fields.map(toProviderFieldDto),
    keys: {
      types: [...provider.keys.types],
      encodings: [...provider.keys.encodings],
      minKeys: provider.keys.minKeys,
      plainTypes: [...(provider.keys.plainTypes ?? [])],
    },
    limits: { ...provider.limits },
  };
}
