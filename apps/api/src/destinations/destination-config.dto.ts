import type { ConfigValue } from '@conduit/destinations-core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalNotNull } from '../http/optional-not-null.decorator';

// A destination's config values: their OpenAPI shape, and the config an export would use once the
// exporting company's overrides (runtime variables) are applied.

/** OpenAPI for a `{ field: value }` map of config values (strings or integers). */
export const CONFIG_SCHEMA: { type: 'object'; additionalProperties: SchemaObject } = {
  type: 'object',
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
};

export const CONFIG_EXAMPLE = {
  advertiserId: '7200000000000000001',
  audienceName: 'Spring sale buyers',
  action: 'Create',
  retentionInDays: 180,
};

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
