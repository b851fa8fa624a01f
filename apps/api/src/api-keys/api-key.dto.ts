import { API_KEY_NAME_MAX_LENGTH, type ApiKey } from '@conduit/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export enum ApiKeyStatus {
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
}

export class ApiKeyDto {
  @ApiProperty({ example: 'key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'Airflow production' })
  name!: string;

  @ApiProperty({
    example: 'cdt_Xy3kQ9aB',
    description:
      'The first characters of the key, to tell keys apart. The full key is shown only once, at creation.',
  })
  prefix!: string;

  @ApiProperty({ enum: ApiKeyStatus, enumName: 'ApiKeyStatus' })
  status!: ApiKeyStatus;

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-11-25T10:02:00.000Z',
    description: 'Last successful use, to the minute.',
  })
  lastUsedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'cdt_Xy3kQ9aBzR2mN7pL0qW4eT6yU8iO1aS3dF5gH7jK9lZ',
    description: 'The API key itself. Store it now: it is shown only once and cannot be recovered.',
  })
  secret!: string;
}

export class CreateApiKeyDto {
  @ApiProperty({
    example: 'Airflow production',
    maxLength: API_KEY_NAME_MAX_LENGTH,
    description: 'What the key is for.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(API_KEY_NAME_MAX_LENGTH)
  name!: string;
}

export function toApiKeyDto(apiKey: ApiKey): ApiKeyDto {
  return {
    id: apiKey.id,
    name: apiKey.name,
    prefix: apiKey.prefix,
    status: apiKey.revokedAt ? ApiKeyStatus.REVOKED : ApiKeyStatus.ACTIVE,
    createdAt: apiKey.createdAt.toISOString(),
    lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    revokedAt: apiKey.revokedAt?.toISOString() ?? null,
  };
}
