import { CollaborationService, ErrorCode, type Principal } from '@conduit/domain';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiErrors } from '../http/api-errors.decorator';
import { ListQueryDto, mapPage, PageResponse } from '../http/pagination.dto';
import {
  AddCollaborationMemberDto,
  CollaborationDto,
  CreateCollaborationDto,
  toCollaborationDto,
} from './collaboration.dto';

const CollaborationPageDto = PageResponse(CollaborationDto);

@ApiTags('Collaborations')
@ApiBearerAuth('api-key')
@Controller('collaborations')
export class CollaborationsController {
  constructor(private readonly collaborations: CollaborationService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a collaboration',
    description: 'My company becomes its owner; partners listed in `memberCompanyIds` become members.',
  })
  @ApiCreatedResponse({ type: CollaborationDto, description: 'The new collaboration, with its members.' })
  @ApiErrors(ErrorCode.COMPANY_NOT_FOUND)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateCollaborationDto,
  ): Promise<CollaborationDto> {
    return toCollaborationDto(await this.collaborations.create(principal.companyId, body));
  }

  @Get()
  @ApiOperation({
    summary: 'List my collaborations',
    description: 'Collaborations my company owns or is a member of, oldest first.',
  })
  @ApiOkResponse({ type: CollaborationPageDto, description: 'A page of collaborations.' })
  @ApiErrors(ErrorCode.INVALID_CURSOR)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListQueryDto) {
    return mapPage(await this.collaborations.list(principal.companyId, query), toCollaborationDto);
  }

  @Get(':collaborationId')
  @ApiOperation({ summary: 'Get a collaboration' })
  @ApiOkResponse({ type: CollaborationDto, description: 'The collaboration, with its members.' })
  @ApiErrors(ErrorCode.COLLABORATION_NOT_FOUND)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
  ): Promise<CollaborationDto> {
    return toCollaborationDto(await this.collaborations.get(principal.companyId, collaborationId));
  }

  @Post(':collaborationId/members')
  @ApiOperation({
    summary: 'Add a member',
    description: 'Owner only. Adds a partner company to the collaboration.',
  })
  @ApiCreatedResponse({ type: CollaborationDto, description: 'The collaboration with its new member.' })
  @ApiErrors(
    ErrorCode.COLLABORATION_NOT_FOUND,
    ErrorCode.COLLABORATION_OWNER_ONLY,
    ErrorCode.COMPANY_NOT_FOUND,
    ErrorCode.COLLABORATION_MEMBER_EXISTS,
  )
  async addMember(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Body() body: AddCollaborationMemberDto,
  ): Promise<CollaborationDto> {
    return toCollaborationDto(
      await this.collaborations.addMember(principal.companyId, collaborationId, body.companyId),
    );
  }

  @Delete(':collaborationId/members/:companyId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Remove a member or leave',
    description:
      'The owner may remove any member; a member may remove itself (leave). The owner cannot leave.',
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiErrors(
    ErrorCode.COLLABORATION_NOT_FOUND,
    ErrorCode.COLLABORATION_OWNER_ONLY,
    ErrorCode.COLLABORATION_MEMBER_NOT_FOUND,
    ErrorCode.COLLABORATION_OWNER_CANNOT_LEAVE,
  )
  async removeMember(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('companyId') companyId: string,
  ): Promise<void> {
    await this.collaborations.removeMember(principal.companyId, collaborationId, companyId);
  }
}
