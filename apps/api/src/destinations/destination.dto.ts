import { DESTINATION_NAME_MAX_LENGTH, type DestinationAccess } from '@conduit/domain';
import type { ConfigValue, DestinationProvider } from '@conduit/destinations-core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
import { ListQueryDto } from '../http/pagination.dto';
import { CONFIG_EXAMPLE, CONFIG_SCHEMA } from './destination-config.dto';
import { ProviderFieldDto, toProviderFieldDto } from './provider.dto';

// A destination as its owner or a grantee sees it, and what creates, changes and lists destinations.
// Its provider (provider.dto.ts), config (destination-config.dto.ts), shares (destination-share.dto.ts)
// and change log (destination-event.dto.ts) have files of their own.

const trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

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
      ...toProviderFieldDto(field),
      editableAtExport: editable.has(field.key),
      hidden: !shown(field.key),
      value: shown(field.key) ? (destination.config[field.key] ?? null) : null,
    })),
    sharedIn: access.sharedIn,
    createdAt: destination.createdAt.toISOString(),
    updatedAt: destination.updatedAt.toISOString(),
  };
}
