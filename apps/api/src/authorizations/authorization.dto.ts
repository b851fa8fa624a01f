import {
  AUTHORIZATION_NAME_MAX_LENGTH,
  AuthorizationStatus,
  type Authorization,
  type StartedAuthorization,
} from '@conduit/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ListQueryDto } from '../http/pagination.dto';

const trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

export class AuthorizedAccountDto {
  @ApiProperty({ example: '7200000000000000001', description: "The account's id at the provider." })
  id!: string;

  @ApiProperty({ example: 'Acme Ads US' })
  name!: string;
}

export class AuthorizationErrorDto {
  @ApiProperty({
    example: 'STATE_EXPIRED',
    description:
      'STATE_INVALID, STATE_EXPIRED, STATE_ALREADY_USED, CONSENT_DENIED, CODE_MISSING, PROVIDER_REJECTED, ' +
      'PROVIDER_UNAVAILABLE, CREDENTIALS_REFUSED (health check: REVOKED), HEALTH_CHECK_FAILED.',
  })
  code!: string;

  @ApiProperty({
    example:
      'TikTok refused the access token (code 40105, request id 2026…); re-authorize the TikTok account.',
  })
  message!: string;

  @ApiProperty({ example: '2026-11-25T09:31:00.000Z' })
  at!: string;
}

export class AuthorizationDto {
  @ApiProperty({ example: 'aut_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'TikTok — Acme US' })
  name!: string;

  @ApiProperty({ example: 'tiktok', description: 'The destination provider (GET /providers lists them).' })
  provider!: string;

  @ApiProperty({
    enum: AuthorizationStatus,
    enumName: 'AuthorizationStatus',
    description:
      'PENDING: waiting for consent. AUTHENTICATED: connected and working at the last check. ' +
      'REVOKED: the provider refuses the credentials (re-authorize). ERROR: consent did not complete (see lastError).',
  })
  status!: AuthorizationStatus;

  @ApiProperty({
    type: [AuthorizedAccountDto],
    description: 'Accounts the authorization grants (TikTok: advertisers), as of the last check.',
  })
  accounts!: AuthorizedAccountDto[];

  @ApiProperty({ type: String, nullable: true, example: 'key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  createdBy!: string | null;

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-25T09:31:00.000Z' })
  authenticatedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-25T10:31:00.000Z' })
  lastCheckedAt!: string | null;

  @ApiProperty({ type: AuthorizationErrorDto, nullable: true })
  lastError!: AuthorizationErrorDto | null;
}

export class StartedAuthorizationDto extends AuthorizationDto {
  @ApiProperty({
    example:
      'https://business-api.tiktok.com/portal/auth?app_id=7100000000000000001&state=eyJr…&redirect_uri=https%3A%2F%2Fconduit.example.com%2Foauth%2Fcallback%2Ftiktok',
    description:
      "Open this in the account owner's browser to give consent. Single use; replaced by any newer one.",
  })
  authorizeUrl!: string;

  @ApiProperty({ example: '2026-11-25T09:40:00.000Z' })
  authorizeUrlExpiresAt!: string;
}

export class CreateAuthorizationDto {
  @ApiProperty({
    example: 'TikTok — Acme US',
    maxLength: AUTHORIZATION_NAME_MAX_LENGTH,
    description: 'Unique within your company.',
  })
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(AUTHORIZATION_NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ example: 'tiktok', description: 'A provider id from GET /providers.' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: 'provider must be a provider id such as tiktok' })
  provider!: string;
}

export class RenameAuthorizationDto {
  @ApiProperty({ example: 'TikTok — Acme EU', maxLength: AUTHORIZATION_NAME_MAX_LENGTH })
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(AUTHORIZATION_NAME_MAX_LENGTH)
  name!: string;
}

export class AuthorizationListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ example: 'tiktok' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  provider?: string;

  @ApiPropertyOptional({ enum: AuthorizationStatus, enumName: 'AuthorizationStatus' })
  @IsOptional()
  @IsEnum(AuthorizationStatus, {
    message: `status must be one of ${Object.values(AuthorizationStatus).join(', ')}`,
  })
  status?: AuthorizationStatus;
}

export class DeleteAuthorizationQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Delete even while destinations use it (they are left without an authorization).',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}

export class DeletedAuthorizationDto {
  @ApiProperty({ example: 'aut_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: true })
  deleted!: true;

  @ApiProperty({
    example: true,
    description:
      'Whether the provider confirmed the token revocation. When false (provider down, token already ' +
      "invalid) the credentials are deleted from Conduit anyway; revoke the app's access at the provider too.",
  })
  revokedAtProvider!: boolean;

  @ApiProperty({
    type: [String],
    example: [],
    description: 'Destinations that used it (only with force=true): they now have no authorization.',
  })
  detachedDestinations!: string[];
}

export function toAuthorizationDto(authorization: Authorization): AuthorizationDto {
  return {
    id: authorization.id,
    name: authorization.name,
    provider: authorization.provider,
    status: authorization.status,
    accounts: authorization.accounts.map(({ id, name }) => ({ id, name })),
    createdBy: authorization.createdBy,
    createdAt: authorization.createdAt.toISOString(),
    authenticatedAt: authorization.authenticatedAt?.toISOString() ?? null,
    lastCheckedAt: authorization.lastCheckedAt?.toISOString() ?? null,
    lastError:
      authorization.lastErrorCode && authorization.lastErrorAt
        ? {
            code: authorization.lastErrorCode,
            message: authorization.lastErrorMessage ?? '',
            at: authorization.lastErrorAt.toISOString(),
          }
        : null,
  };
}

export function toStartedAuthorizationDto(started: StartedAuthorization): StartedAuthorizationDto {
  return {
    ...toAuthorizationDto(started.authorization),
    authorizeUrl: started.authorizeUrl,
    authorizeUrlExpiresAt: started.authorizeUrlExpiresAt.toISOString(),
  };
}
