import { DestinationService, ErrorCode, type DestinationAccess, type Principal } from '@conduit/domain';
import { DestinationRegistry } from '@conduit/destinations-core';
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
import { ListQueryDto, mapPage, PageResponse } from '../http/pagination.dto';
import { ResolveConfigDto, ResolvedConfigDto } from './destination-config.dto';
import { DestinationEventDto, toDestinationEventDto } from './destination-event.dto';
import { CreateShareDto, ShareDto, toShareDto } from './destination-share.dto';
import {
  CreateDestinationDto,
  DestinationDto,
  DestinationListQueryDto,
  toDestinationDto,
  UpdateDestinationDto,
} from './destination.dto';

const DestinationPageDto = PageResponse(DestinationDto);
const SharePageDto = PageResponse(ShareDto);
const DestinationEventPageDto = PageResponse(DestinationEventDto);

@ApiTags('Destinations')
@ApiBearerAuth('api-key')
@Controller()
export class DestinationsController {
  constructor(
    private readonly destinations: DestinationService,
    private readonly registry: DestinationRegistry,
  ) {}

  private view(access: DestinationAccess): DestinationDto {
    return toDestinationDto(access, this.registry.find(access.destination.provider));
  }

  @Post('destinations')
  @ApiOperation({
    summary: 'Create a destination',
    description:
      "A provider, an authorization of my company, and values for the provider's fields (GET /providers/{id}). " +
      'Each field is locked or editable at export time (`editableFields`); a required field may be left ' +
      'empty only if it is editable. Errors name the field and the rule (e.g. `config.audienceName`, `minLength`).',
  })
  @ApiCreatedResponse({ type: DestinationDto, description: 'The destination.' })
  @ApiErrors(ErrorCode.AUTHORIZATION_NOT_FOUND, ErrorCode.PROVIDER_NOT_CONFIGURED)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateDestinationDto,
  ): Promise<DestinationDto> {
    const destination = await this.destinations.create(principal, body);
    return this.view({ destination, role: 'OWNER', sharedIn: [] });
  }

  @Get('destinations')
  @ApiOperation({
    summary: 'List destinations',
    description: 'Mine and those shared with my company, oldest first; filter by collaboration and provider.',
  })
  @ApiOkResponse({ type: DestinationPageDto, description: 'A page of destinations.' })
  @ApiErrors(ErrorCode.INVALID_CURSOR, ErrorCode.COLLABORATION_NOT_FOUND)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: DestinationListQueryDto) {
    const { collaborationId, provider, ...page } = query;
    return mapPage(
      await this.destinations.list(principal.companyId, page, { collaborationId, provider }),
      (access) => this.view(access),
    );
  }

  @Get('collaborations/:collaborationId/destinations')
  @ApiOperation({
    summary: 'Destinations I can export to in a collaboration',
    description:
      "The Export pane's list: every destination my company owns or may use in this collaboration, each " +
      'with its fields (editable ones are what an export may set).',
  })
  @ApiOkResponse({ type: DestinationPageDto, description: 'A page of destinations.' })
  @ApiErrors(ErrorCode.INVALID_CURSOR, ErrorCode.COLLABORATION_NOT_FOUND)
  async listForCollaboration(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Query() query: ListQueryDto,
  ) {
    return mapPage(await this.destinations.list(principal.companyId, query, { collaborationId }), (access) =>
      this.view(access),
    );
  }

  @Get('destinations/:destinationId')
  @ApiOperation({
    summary: 'Get a destination',
    description:
      'A grantee sees the editable fields and the locked values the owner made visible, never credentials.',
  })
  @ApiOkResponse({ type: DestinationDto, description: 'The destination.' })
  @ApiErrors(ErrorCode.DESTINATION_NOT_FOUND)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
  ): Promise<DestinationDto> {
    return this.view(await this.destinations.get(principal.companyId, destinationId));
  }

  @Patch('destinations/:destinationId')
  @ApiOperation({
    summary: 'Update a destination',
    description: 'Owner only (a grantee gets 403). The result is validated as a whole, like a creation.',
  })
  @ApiOkResponse({ type: DestinationDto, description: 'The updated destination.' })
  @ApiErrors(
    ErrorCode.DESTINATION_NOT_FOUND,
    ErrorCode.DESTINATION_OWNER_ONLY,
    ErrorCode.AUTHORIZATION_NOT_FOUND,
  )
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
    @Body() body: UpdateDestinationDto,
  ): Promise<DestinationDto> {
    const destination = await this.destinations.update(principal, destinationId, body);
    return this.view({ destination, role: 'OWNER', sharedIn: [] });
  }

  @Delete('destinations/:destinationId')
  @ApiOperation({
    summary: 'Delete a destination',
    description:
      'Owner only. Soft delete: it leaves every list and its shares end; its history stays readable.',
  })
  @ApiOkResponse({ type: DestinationDto, description: 'The deleted destination.' })
  @ApiErrors(ErrorCode.DESTINATION_NOT_FOUND, ErrorCode.DESTINATION_OWNER_ONLY)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
  ): Promise<DestinationDto> {
    const destination = await this.destinations.remove(principal, destinationId);
    return this.view({ destination, role: 'OWNER', sharedIn: [] });
  }

  @Post('destinations/:destinationId/resolve')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Check the config an export would use',
    description:
      'Destination values + `overrides` of editable fields, validated like an export: a locked or unknown ' +
      'field, an invalid value or a revoked share is refused, naming the field. Changes nothing.',
  })
  @ApiOkResponse({ type: ResolvedConfigDto, description: 'The resolved config.' })
  @ApiErrors(
    ErrorCode.DESTINATION_NOT_FOUND,
    ErrorCode.DESTINATION_WITHOUT_AUTHORIZATION,
    ErrorCode.PROVIDER_NOT_CONFIGURED,
  )
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
    @Body() body: ResolveConfigDto,
  ): Promise<ResolvedConfigDto> {
    const resolved = await this.destinations.resolveForExport(
      principal.companyId,
      destinationId,
      body.overrides,
      {
        collaborationId: body.collaborationId,
      },
    );
    const { destination, role } = resolved.access;
    const hidden = (key: string) =>
      role === 'GRANTEE' &&
      !destination.editableFields.includes(key) &&
      !destination.visibleFields.includes(key);
    return {
      destinationId: destination.id,
      config: Object.fromEntries(Object.entries(resolved.config).filter(([key]) => !hidden(key))),
      hiddenFields: Object.keys(resolved.config).filter(hidden),
    };
  }

  @Post('destinations/:destinationId/shares')
  @ApiOperation({
    summary: 'Share a destination',
    description:
      'Owner only. The grantee must be a member company of the collaboration; it may then export with the ' +
      'destination in that collaboration, setting editable fields only. It cannot change or re-share it.',
  })
  @ApiCreatedResponse({ type: ShareDto, description: 'The share.' })
  @ApiErrors(
    ErrorCode.DESTINATION_NOT_FOUND,
    ErrorCode.DESTINATION_OWNER_ONLY,
    ErrorCode.COLLABORATION_NOT_FOUND,
    ErrorCode.SHARE_GRANTEE_NOT_MEMBER,
    ErrorCode.DESTINATION_SHARE_EXISTS,
  )
  async share(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
    @Body() body: CreateShareDto,
  ): Promise<ShareDto> {
    return toShareDto(await this.destinations.share(principal, destinationId, body));
  }

  @Get('destinations/:destinationId/shares')
  @ApiOperation({
    summary: 'List the shares of a destination',
    description: 'Owner only; active and revoked.',
  })
  @ApiOkResponse({ type: SharePageDto, description: 'A page of shares.' })
  @ApiErrors(ErrorCode.DESTINATION_NOT_FOUND, ErrorCode.DESTINATION_OWNER_ONLY, ErrorCode.INVALID_CURSOR)
  async listShares(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
    @Query() query: ListQueryDto,
  ) {
    return mapPage(await this.destinations.listShares(principal.companyId, destinationId, query), toShareDto);
  }

  @Delete('destinations/:destinationId/shares/:shareId')
  @ApiOperation({
    summary: 'Revoke a share',
    description: "Owner only. Stops the grantee's new exports at once; exports already running finish.",
  })
  @ApiOkResponse({ type: ShareDto, description: 'The revoked share.' })
  @ApiErrors(
    ErrorCode.DESTINATION_NOT_FOUND,
    ErrorCode.DESTINATION_OWNER_ONLY,
    ErrorCode.DESTINATION_SHARE_NOT_FOUND,
  )
  async revokeShare(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
    @Param('shareId') shareId: string,
  ): Promise<ShareDto> {
    return toShareDto(await this.destinations.revokeShare(principal, destinationId, shareId));
  }

  @Get('destinations/:destinationId/history')
  @ApiOperation({
    summary: 'History of a destination',
    description: 'Owner only: every change to it and its shares (who, when, what), oldest first.',
  })
  @ApiOkResponse({ type: DestinationEventPageDto, description: 'A page of events.' })
  @ApiErrors(ErrorCode.DESTINATION_NOT_FOUND, ErrorCode.DESTINATION_OWNER_ONLY, ErrorCode.INVALID_CURSOR)
  async history(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
    @Query() query: ListQueryDto,
  ) {
    return mapPage(
      await this.destinations.history(principal.companyId, destinationId, query),
      toDestinationEventDto,
    );
  }
}
