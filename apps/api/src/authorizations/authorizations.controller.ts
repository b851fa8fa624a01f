import { AuthorizationService, ErrorCode, type Principal } from '@conduit/domain';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiErrors } from '../http/api-errors.decorator';
import { mapPage, PageResponse } from '../http/pagination.dto';
import { OAuthCallbackService } from '../oauth/oauth-callback.service';
import {
  AuthorizationDto,
  AuthorizationListQueryDto,
  CreateAuthorizationDto,
  DeleteAuthorizationQueryDto,
  DeletedAuthorizationDto,
  RenameAuthorizationDto,
  StartedAuthorizationDto,
  toAuthorizationDto,
  toStartedAuthorizationDto,
} from './authorization.dto';

const AuthorizationPageDto = PageResponse(AuthorizationDto);

@ApiTags('Authorizations')
@ApiBearerAuth('api-key')
@Controller('authorizations')
export class AuthorizationsController {
  constructor(
    private readonly authorizations: AuthorizationService,
    private readonly callbacks: OAuthCallbackService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Connect a provider account',
    description:
      'Creates a PENDING authorization and returns `authorizeUrl`: open it in the account owner’s browser ' +
      '(e.g. "Authorize Conduit to export data to your TikTok account"). After consent the provider ' +
      'redirects to /oauth/callback/{provider} and the authorization becomes AUTHENTICATED with the ' +
      'accounts it grants. The URL is single use and expires (OAUTH_STATE_TTL_SECONDS, default 10 minutes).',
  })
  @ApiCreatedResponse({
    type: StartedAuthorizationDto,
    description: 'The authorization and its authorize URL.',
  })
  @ApiErrors(ErrorCode.AUTHORIZATION_NAME_TAKEN, ErrorCode.PROVIDER_NOT_CONFIGURED)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateAuthorizationDto,
  ): Promise<StartedAuthorizationDto> {
    return toStartedAuthorizationDto(
      await this.authorizations.create(principal, body, this.callbacks.redirectUriFor(body.provider)),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List authorizations', description: "My company's authorizations, oldest first." })
  @ApiOkResponse({ type: AuthorizationPageDto, description: 'A page of authorizations.' })
  @ApiErrors(ErrorCode.INVALID_CURSOR)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: AuthorizationListQueryDto) {
    const { provider, status, ...page } = query;
    return mapPage(
      await this.authorizations.list(principal.companyId, page, { provider, status }),
      toAuthorizationDto,
    );
  }

  @Get(':authorizationId')
  @ApiOperation({ summary: 'Get an authorization' })
  @ApiOkResponse({ type: AuthorizationDto, description: 'The authorization (never its credentials).' })
  @ApiErrors(ErrorCode.AUTHORIZATION_NOT_FOUND)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('authorizationId') authorizationId: string,
  ): Promise<AuthorizationDto> {
    return toAuthorizationDto(await this.authorizations.get(principal.companyId, authorizationId));
  }

  @Patch(':authorizationId')
  @ApiOperation({ summary: 'Rename an authorization' })
  @ApiOkResponse({ type: AuthorizationDto, description: 'The renamed authorization.' })
  @ApiErrors(ErrorCode.AUTHORIZATION_NOT_FOUND, ErrorCode.AUTHORIZATION_NAME_TAKEN)
  async rename(
    @CurrentPrincipal() principal: Principal,
    @Param('authorizationId') authorizationId: string,
    @Body() body: RenameAuthorizationDto,
  ): Promise<AuthorizationDto> {
    return toAuthorizationDto(
      await this.authorizations.rename(principal.companyId, authorizationId, body.name),
    );
  }

  @Post(':authorizationId/reauthorize')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Get a new authorize URL',
    description:
      'For the same record: after REVOKED or ERROR, or to grant more accounts. Earlier authorize URLs stop ' +
      'working. An AUTHENTICATED authorization keeps its credentials until the new consent succeeds.',
  })
  @ApiOkResponse({
    type: StartedAuthorizationDto,
    description: 'The authorization and its new authorize URL.',
  })
  @ApiErrors(ErrorCode.AUTHORIZATION_NOT_FOUND, ErrorCode.PROVIDER_NOT_CONFIGURED)
  async reauthorize(
    @CurrentPrincipal() principal: Principal,
    @Param('authorizationId') authorizationId: string,
  ): Promise<StartedAuthorizationDto> {
    const authorization = await this.authorizations.get(principal.companyId, authorizationId);
    return toStartedAuthorizationDto(
      await this.authorizations.reauthorize(
        principal.companyId,
        authorization.id,
        this.callbacks.redirectUriFor(authorization.provider),
      ),
    );
  }

  @Delete(':authorizationId')
  @ApiOperation({
    summary: 'Delete an authorization',
    description:
      'Revokes the token at the provider when it can, then deletes the authorization and its credentials. ' +
      'Refused (409) while destinations use it, unless `force=true`: those destinations then have no ' +
      'authorization and their exports fail until their owner links another one.',
  })
  @ApiOkResponse({ type: DeletedAuthorizationDto, description: 'What was done.' })
  @ApiErrors(ErrorCode.AUTHORIZATION_NOT_FOUND, ErrorCode.AUTHORIZATION_IN_USE)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('authorizationId') authorizationId: string,
    @Query() query: DeleteAuthorizationQueryDto,
  ): Promise<DeletedAuthorizationDto> {
    const { revokedAtProvider, detachedDestinations } = await this.authorizations.remove(
      principal,
      authorizationId,
      { force: query.force === true },
    );
    return { id: authorizationId, deleted: true, revokedAtProvider, detachedDestinations };
  }
}
