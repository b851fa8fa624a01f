import {
  DESTINATION_NAME_MAX_LENGTH,
  DestinationEventType,
  type DestinationAccess,
  type DestinationEvent,
  type DestinationShare,
} from '@conduit/domain';
import type { ConfigValue, DestinationProvider, FieldDefinition } from '@conduit/destinations-core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { IsOptionalNotNull } from '../http/optional-not-null.decorator';
import { ListQueryDto } from '../http/pagination.dto';

const trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** OpenAPI for a `{ field: value }` map of config values (strings or integers). */
const CONFIG_SCHEMA: { type: 'object'; additionalProperties: SchemaObject } = {
  type: 'object',
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
};

const CONFIG_EXAMPLE = {
  advertiserId: '7200000000000000001',
  audienceName: 'Spring sale buyers',
  action: 'Create',
  retentionInDays: 180,
};

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

export class ProviderKeysDto {
  @ApiProperty({ type: [String], example: ['EMAIL', 'PHONE', 'MAID'] })
  types!: string[];

  @ApiProperty({ type: [String], example: ['RAW', 'SHA256'] })
  encodings!: string[];

  @ApiProperty({ example: 1 })
  minKeys!: number;
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

/** A field of one destination, as the caller may see it. */
export class DestinationFieldDto extends ProviderFieldDto {
  @ApiProperty({
    example: true,
    description: 'Editable at export time: the exporting company (owner or grantee) may set it.',
  })
  editableAtExport!: boolean;

  @ApiProperty({
    example: false,
    description:
      'A locked field whose value is hidden from you (shared destinations: the owner did not make it visible).',
  })
  hidden!: boolean;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'integer' }],
    nullable: true,
    example: 'Spring sale buyers',
    description: 'The value (for an editable field: its default at export); null when unset or hidden.',
  })
  value!: ConfigValue | null;
}

export class DestinationDto {
  @ApiProperty({ example: 'dst_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'TikTok — Spring campaigns' })
  name!: string;

  @ApiProperty({ example: 'tiktok' })
  provider!: string;

  @ApiProperty({
    enum: ['OWNER', 'GRANTEE'],
    description: 'OWNER: my company configured it. GRANTEE: shared with my company (use only; no change).',
  })
  role!: 'OWNER' | 'GRANTEE';

  @ApiProperty({ example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z', description: 'The company that owns it.' })
  ownerCompanyId!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'aut_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'Owner only (null for a grantee, and when the authorization was deleted with force).',
  })
  authorizationId!: string | null;

  @ApiProperty({
    ...CONFIG_SCHEMA,
    example: CONFIG_EXAMPLE,
    description:
      'Values the caller may see: all for the owner; editable and visible locked ones for a grantee.',
  })
  config!: Record<string, ConfigValue>;

  @ApiProperty({ type: [String], example: ['audienceName', 'action'] })
  editableFields!: string[];

  @ApiProperty({
    type: [String],
    example: ['advertiserId'],
    description: 'Locked fields whose values grantees see (owner view); for a grantee, those it sees.',
  })
  visibleFields!: string[];

  @ApiProperty({
    type: [DestinationFieldDto],
    description: "The provider's fields with this destination's settings.",
  })
  fields!: DestinationFieldDto[];

  @ApiProperty({
    type: [String],
    example: ['clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z'],
    description: 'For a grantee: the collaborations it was shared in. Empty for the owner.',
  })
  sharedIn!: string[];

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-25T09:35:00.000Z' })
  updatedAt!: string;
}

export class CreateDestinationDto {
  @ApiProperty({ example: 'TikTok — Spring campaigns', maxLength: DESTINATION_NAME_MAX_LENGTH })
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(DESTINATION_NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ example: 'tiktok', description: 'A provider id from GET /providers.' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: 'provider must be a provider id such as tiktok' })
  provider!: string;

  @ApiProperty({
    example: 'aut_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description:
      'An authorization of my company for this provider; its accounts bound e.g. the Advertiser ID.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  authorizationId!: string;

  @ApiPropertyOptional({
    ...CONFIG_SCHEMA,
    example: CONFIG_EXAMPLE,
    description:
      "Values for the provider's fields (GET /providers/{id}). A required field may be left out only if it is editable.",
  })
  @IsOptional()
  @IsObject({ message: 'config must be an object of field values' })
  config?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    example: ['audienceName', 'action'],
    description: 'Fields the exporting company may set at export time (only fields the provider allows).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  editableFields?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['advertiserId'],
    description:
      'Locked fields whose values grantees may see (default: none; editable fields are always shown).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  visibleFields?: string[];
}

export class UpdateDestinationDto {
  @ApiPropertyOptional({ example: 'TikTok — Summer campaigns', maxLength: DESTINATION_NAME_MAX_LENGTH })
  @IsOptional()
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(DESTINATION_NAME_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ example: 'aut_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  authorizationId?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'integer' }], nullable: true },
    example: { audienceName: 'Summer sale buyers', retentionInDays: null },
    description: 'Fields to change; null clears a field. Fields not given keep their values.',
  })
  @IsOptional()
  @IsObject({ message: 'config must be an object of field values' })
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['audienceName'], description: 'Replaces the list.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  editableFields?: string[];

  @ApiPropertyOptional({ type: [String], example: ['advertiserId'], description: 'Replaces the list.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  visibleFields?: string[];
}

export class DestinationListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'Only destinations usable in this collaboration (mine, and those shared with me in it).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  collaborationId?: string;

  @ApiPropertyOptional({ example: 'tiktok' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  provider?: string;
}

export class ResolveConfigDto {
  @ApiPropertyOptional({
    ...CONFIG_SCHEMA,
    example: { audienceName: 'Partner spring buyers', action: 'Append' },
    description: 'Values for editable fields; a locked or unknown field is refused, naming it.',
  })
  @IsOptionalNotNull()
  @IsObject({ message: 'overrides must be an object of field values' })
  overrides?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'For a grantee: the collaboration the export is made in.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  collaborationId?: string;
}

export class ResolvedConfigDto {
  @ApiProperty({ example: 'dst_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  destinationId!: string;

  @ApiProperty({
    ...CONFIG_SCHEMA,
    example: { ...CONFIG_EXAMPLE, phoneHashFormat: 'E164_WITH_PLUS' },
    description:
      'The config an export would use (defaults applied). Hidden locked values are left out for a grantee.',
  })
  config!: Record<string, ConfigValue>;

  @ApiProperty({ type: [String], example: [], description: 'Fields set but hidden from you.' })
  hiddenFields!: string[];
}

export class CreateShareDto {
  @ApiProperty({
    example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'A collaboration both companies belong to.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  collaborationId!: string;

  @ApiProperty({
    example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'The member company to share with.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  companyId!: string;
}

export class ShareDto {
  @ApiProperty({ example: 'shr_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'dst_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  destinationId!: string;

  @ApiProperty({ example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  collaborationId!: string;

  @ApiProperty({ example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  companyId!: string;

  @ApiProperty({ enum: ['ACTIVE', 'REVOKED'] })
  status!: 'ACTIVE' | 'REVOKED';

  @ApiProperty({ type: String, nullable: true, example: 'key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  createdBy!: string | null;

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedAt!: string | null;
}

export class DestinationEventDto {
  @ApiProperty({ example: 'dev_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ enum: DestinationEventType, enumName: 'DestinationEventType' })
  type!: DestinationEventType;

  @ApiProperty({ type: String, nullable: true, example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  actorCompanyId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  actorApiKeyId!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { 'config.audienceName': { from: 'Spring sale buyers', to: 'Summer sale buyers' } },
    description: 'What changed: `{ field: { from, to } }` for updates; the share for share events.',
  })
  changes!: Record<string, unknown>;

  @ApiProperty({ example: '2026-11-25T09:35:00.000Z' })
  at!: string;
}

function rulesDto(rules: NonNullable<FieldDefinition['rules']>): FieldRulesDto {
  const { values, pattern, ...bounds } = rules;
  return {
    ...bounds,
    ...(values ? { values: [...values] } : {}),
    ...(pattern ? { pattern: { ...pattern } } : {}),
  };
}

function fieldDto(field: FieldDefinition): ProviderFieldDto {
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
    fields: provider.fields.map(fieldDto),
    keys: {
      types: [...provider.keys.types],
      encodings: [...provider.keys.encodings],
      minKeys: provider.keys.minKeys,
    },
    limits: { ...provider.limits },
  };
}

/** The destination as `access.role` may see it: a grantee never sees hidden locked values or credentials. */
export function toDestinationDto(
  access: DestinationAccess,
  provider: DestinationProvider | undefined,
): DestinationDto {
  const { destination, role } = access;
  const owner = role === 'OWNER';
  const editable = new Set(destination.editableFields);
  const visible = new Set(destination.visibleFields);
  const shown = (key: string) => owner || editable.has(key) || visible.has(key);
  const config = Object.fromEntries(Object.entries(destination.config).filter(([key]) => shown(key)));
  return {
    id: destination.id,
    name: destination.name,
    provider: destination.provider,
    role,
    ownerCompanyId: destination.owner.id,
    authorizationId: owner ? (destination.authorization?.id ?? null) : null,
    config,
    editableFields: [...destination.editableFields],
    visibleFields: owner
      ? [...destination.visibleFields]
      : destination.visibleFields.filter((key) => !editable.has(key)),
    fields: (provider?.fields ?? []).map((field) => ({
      ...fieldDto(field),
      editableAtExport: editable.has(field.key),
      hidden: !shown(field.key),
      value: shown(field.key) ? (destination.config[field.key] ?? null) : null,
    })),
    sharedIn: access.sharedIn,
    createdAt: destination.createdAt.toISOString(),
    updatedAt: destination.updatedAt.toISOString(),
  };
}

export function toShareDto(share: DestinationShare): ShareDto {
  return {
    id: share.id,
    destinationId: share.destination.id,
    collaborationId: share.collaboration.id,
    companyId: share.grantee.id,
    status: share.revokedAt ? 'REVOKED' : 'ACTIVE',
    createdBy: share.createdBy,
    createdAt: share.createdAt.toISOString(),
    revokedAt: share.revokedAt?.toISOString() ?? null,
  };
}

export function toDestinationEventDto(event: DestinationEvent): DestinationEventDto {
  return {
    id: event.id,
    type: event.type,
    actorCompanyId: event.actorCompanyId,
    actorApiKeyId: event.actorApiKeyId,
    changes: event.changes,
    at: event.at.toISOString(),
  };
}
